/**
 * Member settings shared by the consumer-protocol (KIP-848) scenarios: processes of
 * member-process.ts with `groupProtocol: 'consumer'` and the `uniform` server assignor, async commits
 * twice a second, a short handler delay so rebalances find records in flight. The broker sets the
 * heartbeat (1 s) and session (10 s) of these groups (scripts/kafka/start.sh), so no member sets its own.
 */
import { testBrokers } from './env.js';
import type { MemberConfig } from './member-process.js';
import type { Run } from './scenario.js';

/** Settings of a consumer-protocol member of `groupId` on `topic`, logging into `run`; `extra` overrides. */
export function consumerMember(run: Run, member: string, groupId: string, topic: string, extra: Partial<MemberConfig> = {}): MemberConfig {
  return {
    member,
    logFile: `${run.dir}/${member}.jsonl`,
    brokers: testBrokers(),
    groupId,
    topic,
    groupProtocol: 'consumer',
    serverAssignor: 'uniform',
    rebalanceTimeoutMs: 20_000,
    drainTimeoutMs: 3_000,
    commit: { strategy: 'async', intervalMs: 500, threshold: 200 },
    maxDemand: 200,
    handlerDelayMs: 10,
    ...extra,
  };
}
