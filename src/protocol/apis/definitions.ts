/**
 * The list of API definition modules we speak: adding an API is one line here. The registry in
 * ./index.ts picks every API definition exported from these modules.
 */
export * from './api-versions.js';
export * from './create-partitions.js';
export * from './create-topics.js';
export * from './delete-topics.js';
export * from './describe-configs.js';
export * from './fetch.js';
export * from './find-coordinator.js';
export * from './init-producer-id.js';
export * from './list-offsets.js';
export * from './metadata.js';
export * from './produce.js';
