/**
 * The environment CLI child processes of the unit tests run with: the caller's, without the
 * variables the CLI reads (KAFKA_BROKERS, KAFKA_SASL_PASSWORD). The test runner sets KAFKA_BROKERS
 * for integration runs; a unit test that checks "--brokers is required" must not see it.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('KAFKA_BROKERS' in extra)) delete env.KAFKA_BROKERS;
  if (!('KAFKA_SASL_PASSWORD' in extra)) delete env.KAFKA_SASL_PASSWORD;
  return env;
}
