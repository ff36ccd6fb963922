/** Shared settings of integration tests: the cluster they run against, set by scripts/test.mjs. */

/** Bootstrap brokers of the test cluster (`host:port,...`). Throws when unset. */
export function testBrokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) throw new Error('KAFKA_BROKERS is unset: run integration tests through `npm test`');
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A topic name unique to this run, so tests never see each other's records. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
