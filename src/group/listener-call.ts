/**
 * Calling the consumer's membership listener (onAssigned, onRevoked, onLost) from a membership
 * driver: awaited, and a throw turned into the error the driver reports, never into a stuck or
 * failed membership. Shared by the classic and the KIP-848 drivers.
 */
import { KafkaStageError } from '../errors.js';

/** Awaits `call`; resolves with the `ERR_LISTENER` error to report when it threw, else null. */
export async function callListener(groupId: string, name: string, call: () => Promise<void>): Promise<KafkaStageError | null> {
  try {
    await call();
    return null;
  } catch (err) {
    // The listener is the consumer's code, not the broker's answer: no ERR_PROTOCOL.
    return new KafkaStageError('ERR_LISTENER', `group ${groupId}: listener ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
