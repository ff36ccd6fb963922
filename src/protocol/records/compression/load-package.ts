import { createRequire } from 'node:module';
import { CodecUnavailableError } from '../../errors.js';

const requireFromHere = createRequire(import.meta.url);

/** Outcome of one load attempt, remembered so a missing package costs one failed `require` only. */
const loaded = new Map<string, { module: unknown } | { error: CodecUnavailableError }>();

/**
 * Loads a codec's npm package on first use. Packages are optional dependencies: a user who never
 * meets a codec never loads (or needs) its package, and one who does gets a
 * {@link CodecUnavailableError} naming the package to install instead of a bare module error.
 *
 * @typeParam T - the subset of the package's exports the caller uses (declared locally, so the
 *   optional package's own types are not needed to compile)
 * @param codec - codec name, for the error message
 * @param packageName - npm package to load
 */
export function loadCodecPackage<T>(codec: string, packageName: string): T {
  let entry = loaded.get(packageName);
  if (entry === undefined) {
    try {
      entry = { module: requireFromHere(packageName) as unknown };
    } catch (cause) {
      // A missing package and a package whose native build is missing for this platform are the
      // same problem for the user: the codec cannot run here.
      entry = { error: new CodecUnavailableError(codec, packageName, cause) };
    }
    loaded.set(packageName, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry.module as T;
}
