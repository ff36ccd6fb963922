/**
 * Heartbeat (key 12): keeps a classic group member alive and tells it when to rejoin
 * (REBALANCE_IN_PROGRESS). Spec: HeartbeatRequest.json / HeartbeatResponse.json (Kafka 4.4).
 */
import { defineApi, field, int16, int32, nullableString, string } from '../schema.js';

/** Heartbeat: liveness of a member within a generation. */
export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  versions: '0-4',
  flexibleVersions: '4+',
  request: {
    groupId: field(string, '0+'),
    generationId: field(int32, '0+'),
    memberId: field(string, '0+'),
    groupInstanceId: field(nullableString, '3+', { default: null }),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '0+'),
  },
});
