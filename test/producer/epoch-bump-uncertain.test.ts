/**
 * Chaos defect D4: an idempotent producer bumps its epoch when a batch it sent fails for good (here:
 * its delivery timeout passes), and after a bump every partition starts again at sequence 0. A batch
 * of another partition whose request got no answer (the connection died) may already be in the log;
 * restamped under the new epoch the broker cannot tell it from new records and writes it again. Seen
 * on a real 3-node cluster taken down for 60 s: 24 records twice, 6 out of send order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryTimeoutError } from '../../src/producer/errors.js';
import type { RecordMetadata } from '../../src/producer/producer.js';
import { logOf, useFakeCluster } from './use-fake-cluster.js';

const world = useFakeCluster();

test('a batch whose answer was lost is resolved under its old stamp before an epoch bump, never written twice', async () => {
  const kafka = await world.start({ t: 2 });
  const producer = world.producer({
    lingerMs: 0,
    requestTimeoutMs: 200,
    deliveryTimeoutMs: 600,
    retry: { initialBackoffMs: 10, maxBackoffMs: 40 },
  });
  await producer.connect();
  // Until partition 0's batch has run out its delivery timeout: partition 0 is refused
  // (NOT_LEADER_OR_FOLLOWER), and every request is appended but its answer lost (the connection
  // closes). The faults end with that expiry, not at a wall-clock time, so a slow machine cannot
  // move the expiry past them.
  kafka.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { topic: 't', partition: 0, times: Infinity });
  kafka.loseAnswer('Produce', { how: 'close', times: Infinity });
  const first = producer.send('t', { value: 'a0', partition: 0 }).then(
    () => assert.fail('partition 0 was refused until after its delivery timeout'),
    (e: unknown) => {
      kafka.clearFaults();
      return e;
    },
  );
  // Partition 1's records go out later, so they are still waiting when partition 0's batch expires.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const b: Promise<RecordMetadata>[] = Array.from({ length: 5 }, (_, i) => producer.send('t', { value: `b${i}`, partition: 1 }));
  const settled = await Promise.allSettled(b);
  const error = await first;
  assert.ok(error instanceof DeliveryTimeoutError, `partition 0: ${String(error)}`);
  const log = (await logOf(kafka, 't', 1)).map((r) => r.value);
  // Each record of partition 1 is in the log exactly once, whatever its send() said.
  assert.deepEqual([...log].sort(), ['b0', 'b1', 'b2', 'b3', 'b4'], `partition 1 log: ${log.join(',')}`);
  for (const s of settled) {
    if (s.status === 'rejected') assert.ok(s.reason instanceof DeliveryTimeoutError, String(s.reason));
  }
  // The bump did happen (partition 0's batch left a gap), after partition 1 was resolved: the next
  // record goes out under the new epoch (a send waits for a due bump, so this is no race with it).
  await producer.send('t', { value: 'c0', partition: 0 });
  assert.equal(producer.producerId.producerEpoch, 1);
  const c0 = (await logOf(kafka, 't', 0)).filter((r) => r.value === 'c0');
  assert.deepEqual(c0.map((r) => r.producerEpoch), [1], 'c0 once, under the bumped epoch');
});
