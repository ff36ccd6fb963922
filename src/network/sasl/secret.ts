/**
 * A secret given as a value or as a function that returns it (so a rotated password is read at
 * each authentication). Kept by the mechanisms in private fields only.
 */

/** A password: the string itself, or a function returning it (called at each authentication). */
export type SecretSource = string | (() => string | Promise<string>);

/** Reads a secret; a function that throws or returns a non-string fails with a message naming only `what`. */
export async function readSecret(source: SecretSource, what: string): Promise<string> {
  if (typeof source === 'string') return source;
  let value: unknown;
  try {
    value = await source();
  } catch (err) {
    throw new Error(`the ${what} function failed`, { cause: err });
  }
  if (typeof value !== 'string' || value.length === 0) throw new Error(`the ${what} function did not return a non-empty string`);
  return value;
}
