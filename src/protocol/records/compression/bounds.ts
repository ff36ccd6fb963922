import { CompressionError } from '../../errors.js';
import type { CompressionName } from '../types.js';

/**
 * Checks the decompression bound given by the caller: a non-negative safe integer. Thrown as a
 * CompressionError because a bad bound is a bug in the caller's budget arithmetic, found while
 * decompressing.
 */
export function checkMaxBytes(codec: CompressionName, maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new CompressionError(`decompression bound must be a non-negative integer, got ${maxBytes}`, { codec });
  }
}

/** The error for output that would exceed (or did exceed) the caller's bound. */
export function tooLarge(codec: CompressionName, size: number | string, maxBytes: number): CompressionError {
  return new CompressionError(`${codec} data decompresses to ${size} bytes, over the limit of ${maxBytes}`, {
    codec,
    maxBytes,
  });
}

/** Wraps a codec library's failure (corrupt input) as a CompressionError, keeping the cause. */
export function corruptInput(codec: CompressionName, cause: unknown): CompressionError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CompressionError(`${codec} decompression failed: ${detail}`, { codec }, cause);
}
