/**
 * Property test of the partition stage: random logs (plain records, compaction gaps, control
 * batches, aborted transactions) fetched as the scheduler would, random manual asks and acks in
 * any order. After every step: delivered ≤ asked; deliveries strictly increasing and exactly the
 * visible offsets in order (nothing skipped but control records, aborted records and compacted
 * offsets); committable = the first unacked delivered offset; the buffer within its bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KafkaRecord, RecordBatch } from '../../src/protocol/records/types.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import { fetchInfo, flush, makeBatch, makeStage, RECORD_BYTES } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

type SegmentKind = 'data' | 'gap' | 'control' | 'aborted';
interface Segment {
  kind: SegmentKind;
  count: number;
}

interface Log {
  batches: RecordBatch[];
  /** Offsets a read_committed consumer must see, in order. */
  visible: number[];
  aborts: { producerId: bigint; firstOffset: number }[];
}

const ABORTING_PRODUCER = 7n;

function buildLog(segments: Segment[]): Log {
  const log: Log = { batches: [], visible: [], aborts: [] };
  let o = 0;
  for (const { kind, count } of segments) {
    if (kind === 'data') {
      log.batches.push(makeBatch(o, o + count - 1));
      for (let i = 0; i < count; i++) log.visible.push(o + i);
      o += count;
    } else if (kind === 'gap') {
      // Compaction kept every other record and removed the batch's last offsets.
      const last = o + 2 * count;
      const kept = Array.from({ length: count }, (_, i) => o + 2 * i);
      log.batches.push(makeBatch(o, last, { offsets: kept }));
      log.visible.push(...kept);
      o = last + 1;
    } else if (kind === 'control') {
      log.batches.push(makeBatch(o, o, { isControl: true, producerId: 9n, marker: 1 }));
      o += 1;
    } else {
      log.aborts.push({ producerId: ABORTING_PRODUCER, firstOffset: o });
      log.batches.push(makeBatch(o, o + count - 1, { isTransactional: true, producerId: ABORTING_PRODUCER }));
      o += count;
      log.batches.push(makeBatch(o, o, { isControl: true, producerId: ABORTING_PRODUCER, marker: 0 }));
      o += 1;
    }
  }
  return log;
}

type Action =
  | { type: 'fetch'; earlier: boolean }
  | { type: 'ask'; n: number }
  | { type: 'ack'; pick: number; stray: boolean }
  | { type: 'ackBatch'; pick: number };

const segmentArb = fc.record({ kind: fc.constantFrom<SegmentKind>('data', 'data', 'gap', 'control', 'aborted'), count: fc.integer({ min: 1, max: 5 }) });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('fetch' as const), earlier: fc.boolean() }),
  fc.record({ type: fc.constant('ask' as const), n: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ type: fc.constant('ack' as const), pick: fc.nat(), stray: fc.boolean() }),
  fc.record({ type: fc.constant('ackBatch' as const), pick: fc.nat() }),
);

const MAX_BYTES = 12 * RECORD_BYTES;
/** The most one fetch may overshoot the buffer bound: one batch of the largest segment. */
const ONE_BATCH = 5 * RECORD_BYTES;

test('property: demand, contiguity and the committable offset hold under any interleaving', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(segmentArb, { minLength: 1, maxLength: 25 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(actionArb, { maxLength: 60 }),
      async (segments, startOffset, actions) => {
        const log = buildLog(segments);
        const { stage, budget, sink } = makeStage({ startOffset, limits: { maxRecords: 1000, maxBytes: MAX_BYTES, minFetchBytes: RECORD_BYTES } });
        const expected = log.visible.filter((o) => o >= startOffset);
        const delivered: number[] = [];
        const chunks: KafkaRecord[][] = [];
        const acked = new Set<number>();
        let asked = 0;
        stage.onRecords((records) => {
          chunks.push(records);
          for (const r of records) delivered.push(r.offset);
        });

        const check = (): void => {
          const s = stage.stats();
          assert.ok(delivered.length <= asked, `delivered ${delivered.length} > asked ${asked}`);
          assert.equal(s.outstandingDemand, asked - delivered.length);
          assert.deepEqual(delivered, expected.slice(0, delivered.length), 'deliveries are the visible offsets, in order');
          const unacked = delivered.filter((o) => !acked.has(o));
          const lastDelivered = delivered.length > 0 ? (delivered[delivered.length - 1] as number) : startOffset - 1;
          const position = s.bufferedRecords === 0 ? stage.fetchOffset : lastDelivered + 1;
          assert.equal(stage.committableOffset, unacked.length > 0 ? unacked[0] : position, 'committable = first unacked delivered');
          assert.equal(s.inFlight, unacked.length);
          assert.ok(s.bufferedBytes <= MAX_BYTES + ONE_BATCH, `buffered ${s.bufferedBytes} B`);
          assert.equal(budget.heldBytes, s.bufferedBytes);
          assert.equal(sink.total, acked.size);
        };

        for (const action of actions) {
          if (action.type === 'fetch') {
            // As the scheduler: only when the stage wants bytes, at most about what it wants.
            const wanted = fetchTargetOf(stage).fetchBytesWanted(budget.free);
            if (wanted > 0) {
              const from = stage.fetchOffset;
              let i = log.batches.findIndex((b) => b.lastOffset >= from);
              if (i >= 0) {
                if (action.earlier && i > 0) i--;
                const sent: RecordBatch[] = [];
                let bytes = 0;
                for (; i < log.batches.length && (sent.length === 0 || bytes < wanted); i++) {
                  const b = log.batches[i] as RecordBatch;
                  sent.push(b);
                  bytes += b.records.length * RECORD_BYTES;
                }
                const reserved = budget.reserve(wanted);
                fetchTargetOf(stage).onFetched(sent, fetchInfo(log.batches.length, { abortedTransactions: log.aborts, fetchOffset: from }));
                budget.settle(reserved, 0);
              }
            }
          } else if (action.type === 'ask') {
            stage.ask(action.n);
            asked += action.n;
          } else if (action.type === 'ack') {
            const unacked = delivered.filter((o) => !acked.has(o));
            if (action.stray || unacked.length === 0) {
              // An offset never delivered, or one already acked: changes nothing.
              const done = [...acked];
              await stage.ack(done.length > 0 && action.pick % 2 === 0 ? (done[action.pick % done.length] as number) : 10_000 + (action.pick % 1000));
            } else {
              const offset = unacked[action.pick % unacked.length] as number;
              await stage.ack(offset);
              acked.add(offset);
            }
          } else if (chunks.length > 0) {
            const records = chunks[action.pick % chunks.length] as KafkaRecord[];
            const batch: ConsumerBatch = {
              topic: 't',
              partition: 0,
              records,
              firstOffset: (records[0] as KafkaRecord).offset,
              lastOffset: (records[records.length - 1] as KafkaRecord).offset,
            };
            await stage.ack(batch);
            for (const r of records) acked.add(r.offset);
          }
          await flush();
          check();
        }

        // Revoke: the drain ends with the acked prefix; acks after it are never reported.
        const committable = stage.committableOffset;
        const final = await stage.revoke(0);
        assert.equal(final, committable);
        const reported = sink.calls.length;
        for (const o of delivered) await stage.ack(o);
        assert.equal(sink.calls.length, reported);
        assert.equal(stage.committableOffset, committable);
        assert.equal(budget.heldBytes, 0);
      },
    ),
    { numRuns: 150 },
  );
});
