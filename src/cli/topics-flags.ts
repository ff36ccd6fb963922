/** Flags shared by the `topics` subcommands (and `metadata`). */
import { stringsFlag, type FlagSpec, type ParsedFlags } from './args.js';

/** `--json`, shared by the read-only subcommands. */
export const JSON_FLAG: FlagSpec = { name: 'json', type: 'boolean', description: 'print one JSON document instead of a table' };

/** `-t/--topic`, repeatable; topics may also be given as arguments. */
export const TOPIC_FLAG: FlagSpec = { name: 'topic', short: 't', type: 'string', multiple: true, valueName: 'TOPIC', description: 'a topic (or give topics as arguments)' };

/** The topics named by `-t` flags and arguments, in order, each once. */
export function topicsOf(flags: ParsedFlags, positionals: readonly string[]): string[] {
  return [...new Set([...stringsFlag(flags, 'topic'), ...positionals])];
}
