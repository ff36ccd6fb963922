/** The protocol layer's public surface: pure codecs, framing, API definitions and error tables. */
export * from './reader.js';
export * from './writer.js';
export * from './schema.js';
export * from './frame.js';
export * from '../errors.js';
export * from './errors.js';
export * from './error-codes.js';
export * from './kafka-error.js';
export * from './apis/index.js';
export * from './records/record-batch.js';
