/**
 * The connect budget every connecting command starts with: before it builds its client, one probe
 * loads the broker list from the bootstrap brokers, with each connection attempt bounded by
 * {@link REACH_CONNECT_TIMEOUT_MS} and all attempts by {@link REACH_DEADLINE_MS} (so at most about
 * 15 s against a host that drops packets; about 2 s, after {@link REACH_RETRIES} quick retries, against
 * a closed port).
 * Past it the command fails with one line naming the brokers, instead of retrying for the library's
 * 30 s deadline or waiting silently.
 */
import { Cluster } from '../cluster/cluster.js';
import { KafkaStageError } from '../errors.js';
import type { CliConnection } from './connection-flags.js';

/** Bound of one connection attempt (TCP, TLS, ApiVersions, SASL) of the probe, ms. */
export const REACH_CONNECT_TIMEOUT_MS = 5_000;
/** Attempts after the first: a refused port fails after about 2 s of backoff (200, 400, 800, 1000 ms, with jitter). */
export const REACH_RETRIES = 4;
/** No new attempt starts after this many ms of failures. */
export const REACH_DEADLINE_MS = 10_000;

/** The broker list could not be loaded from any bootstrap broker within the budget. */
export class UnreachableClusterError extends Error {
  constructor(brokers: string, cause: unknown) {
    super(`cannot reach any broker of ${brokers} (${reasonOf(cause)})`, { cause });
    this.name = 'UnreachableClusterError';
  }
}

/** The innermost message: the connection failure, not the retry wrapper around it. */
function reasonOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof KafkaStageError && e.code === 'ERR_RETRIES_EXHAUSTED' && e.cause !== undefined) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Resolves once a bootstrap broker answered with the broker list. Throws {@link UnreachableClusterError}
 * when none did within the budget; a failure that is an answer (SASL refused, TLS certificate
 * rejected, unsupported versions) is thrown as it is, at once.
 */
export async function reachCluster(connection: CliConnection): Promise<void> {
  const probe = new Cluster({
    ...connection,
    connectTimeoutMs: REACH_CONNECT_TIMEOUT_MS,
    retry: { retries: REACH_RETRIES, initialBackoffMs: 200, maxBackoffMs: 1_000, deadlineMs: REACH_DEADLINE_MS },
    // The command's one-line message says it all; no per-attempt log lines before it.
    logger: false,
  });
  try {
    await probe.connect();
  } catch (err) {
    if (err instanceof KafkaStageError && (err.retriable || err.code === 'ERR_RETRIES_EXHAUSTED')) throw new UnreachableClusterError(connection.brokers, err);
    throw err;
  } finally {
    await probe.close();
  }
}
