/** Test helper: the InvalidOptionError a call throws, synchronously or as a rejection. */
import assert from 'node:assert/strict';
import { InvalidOptionError } from '../../src/errors.js';

/** Runs `fn` and returns the InvalidOptionError it throws or rejects with; fails the test otherwise. */
export async function invalidOption(fn: () => unknown): Promise<InvalidOptionError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an InvalidOptionError');
}
