/**
 * A member's heartbeats: one in flight at a time, on the member's own timer, never waiting for
 * listener work. What an answer means is decided here; the driver is told through callbacks.
 */
import { Heartbeat } from '../protocol/apis/heartbeat.js';
import type { GroupCoordinator } from './coordinator.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { STATIC_VERSIONS, type BodyFor, type MemberIdentity } from './rebalance-requests.js';

/** What a {@link HeartbeatSender} is handed. */
export interface HeartbeatInputs {
  /** Where heartbeats go (only `request` is used). */
  coordinator: Pick<GroupCoordinator, 'request'>;
  groupId: string;
  groupInstanceId: string | null;
  /** Response timeout of one heartbeat, ms. */
  timeoutMs: number;
  /** The coordinator answered that it knows the member. */
  alive(): void;
  /** A heartbeat as `generationId` / `memberId` was answered with the error `errorCode`. */
  refused(generationId: number, memberId: string, errorCode: number): void;
}

/** The Heartbeat body: the instance id only from v3, where the field exists. */
export function heartbeatBody(member: MemberIdentity, generationId: number): BodyFor<typeof Heartbeat> {
  const { groupId, groupInstanceId, memberId } = member;
  return (v) => ({ groupId, generationId, memberId, groupInstanceId: v >= STATIC_VERSIONS.heartbeat ? groupInstanceId : null });
}

/**
 * What a heartbeat's error code says: `alive` when the coordinator knows the member (during a
 * rebalance it still counts heartbeats), `refused` when the state machine must hear of it.
 */
export function heartbeatOutcome(errorCode: number): { alive: boolean; refused: boolean } {
  return { alive: errorCode === ErrorCode.NONE || errorCode === ErrorCode.REBALANCE_IN_PROGRESS, refused: errorCode !== ErrorCode.NONE };
}

/** Sends heartbeats and reports their answers; see the module comment. */
export class HeartbeatSender {
  private pending = false;
  private count = 0;

  constructor(private readonly inputs: HeartbeatInputs) {}

  /** True while a heartbeat is unanswered. */
  get inFlight(): boolean {
    return this.pending;
  }

  /** Heartbeats sent so far. */
  get sent(): number {
    return this.count;
  }

  /** Sends one heartbeat as `memberId` of `generationId`, unless one is in flight. */
  send(generationId: number, memberId: string): void {
    if (this.pending) return;
    const { coordinator, groupId, groupInstanceId, timeoutMs } = this.inputs;
    this.pending = true;
    this.count++;
    coordinator
      .request(Heartbeat, heartbeatBody({ groupId, groupInstanceId, memberId }, generationId), { timeoutMs, errorOf: (r) => r.errorCode })
      .then(({ response }) => {
        const outcome = heartbeatOutcome(response.errorCode);
        if (outcome.alive) this.inputs.alive();
        if (outcome.refused) this.inputs.refused(generationId, memberId, response.errorCode);
      })
      .catch(() => {
        // Connection lost or coordinator unknown: the coordinator client forgot it and the next
        // tick looks it up again; the session clock decides when the coordinator is looked up anew.
      })
      .finally(() => {
        this.pending = false;
      });
  }
}
