/**
 * The commands of the model-based test, as fast-check commands over a {@link World}, and their
 * arbitraries. Each command does one thing (a Fetch answer, an ack, a rebalance, a tick of model
 * time...), lets the consumer react, and checks the invariants. Partitions are picked by index
 * modulo the run's partition count, so any command fits any configuration and shrinking stays
 * meaningful. `toString()` prints a readable step of a counterexample.
 */
import fc from 'fast-check';
import type { FetchAnswer } from './model-cluster.js';
import type { CommitMode } from './model-coordinator.js';
import { settle } from './liveness.js';
import type { AckForm, AckOrder } from './subscribers.js';
import type { Segment, World } from './world.js';

/** The (empty) abstract model: the world and its oracle hold all state. */
export type Model = Record<string, never>;

/** A step of a run. */
export abstract class Step implements fc.AsyncCommand<Model, World> {
  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    await this.apply(world);
    await world.flush();
    world.check(this.toString());
  }

  protected abstract apply(world: World): void | Promise<void>;
  abstract toString(): string;
}

const list = (ps: readonly number[]): string => `[${ps.join(',')}]`;

/** Appends segments (data, gaps, transactions) to a partition's log. */
export class Produce extends Step {
  constructor(
    readonly p: number,
    readonly segments: readonly Segment[],
  ) {
    super();
  }
  protected async apply(world: World): Promise<void> {
    for (const s of this.segments) await world.append(this.p, s);
  }
  toString(): string {
    return `produce(${this.p}, ${this.segments.map((s) => `${s.kind}:${s.records}×${s.valueBytes}B`).join(' ')})`;
  }
}

/** Answers a pending Fetch. */
export class Answer extends Step {
  constructor(
    readonly pick: number,
    readonly how: { empty?: boolean; cutTail?: boolean; errorAt?: number; errorCode?: number; throttleTimeMs?: number },
  ) {
    super();
  }
  protected apply(world: World): void {
    const answer: FetchAnswer = { empty: this.how.empty, cutTail: this.how.cutTail, throttleTimeMs: this.how.throttleTimeMs };
    if (this.how.errorCode !== undefined) answer.errors = new Map([[this.how.errorAt ?? 0, this.how.errorCode]]);
    world.answer(this.pick, answer);
  }
  toString(): string {
    return `answer(${this.pick}, ${JSON.stringify(this.how)})`;
  }
}

/** Fails a pending Fetch as a dropped connection. */
export class FailFetch extends Step {
  constructor(readonly pick: number) {
    super();
  }
  protected apply(world: World): void {
    world.failFetch(this.pick);
  }
  toString(): string {
    return `failFetch(${this.pick})`;
  }
}

/** The subscriber asks for more records (or pulls a batch). */
export class Demand extends Step {
  constructor(
    readonly p: number,
    readonly n: number,
  ) {
    super();
  }
  protected apply(world: World): void {
    world.demand(this.p, this.n);
  }
  toString(): string {
    return `demand(${this.p}, ${this.n})`;
  }
}

/** The subscriber acks some of what it holds. */
export class Ack extends Step {
  constructor(
    readonly p: number,
    readonly count: number,
    readonly order: AckOrder,
    readonly form: AckForm,
  ) {
    super();
  }
  protected apply(world: World): void {
    world.ack(this.p, this.count, this.order, this.form);
  }
  toString(): string {
    return `ack(${this.p}, ${this.count}, ${this.order}, ${this.form})`;
  }
}

/** A duplicate ack of something already acked. */
export class AckAgain extends Step {
  constructor(
    readonly p: number,
    readonly index: number,
  ) {
    super();
  }
  protected apply(world: World): void {
    world.ackAgain(this.p, this.index);
  }
  toString(): string {
    return `ackAgain(${this.p}, ${this.index})`;
  }
}

/** An ack on the wrong stage: a record of partition q acked on the stage of p. */
export class AckForeign extends Step {
  constructor(
    readonly p: number,
    readonly q: number,
  ) {
    super();
  }
  protected apply(world: World): void {
    world.ackForeign(this.p, this.q);
  }
  toString(): string {
    return `ackForeign(${this.p}, ${this.q})`;
  }
}

/** A subscriber whose stage ended acks what it held. */
export class LateAck extends Step {
  constructor(readonly index: number) {
    super();
  }
  protected apply(world: World): void {
    world.lateAck(this.index);
  }
  toString(): string {
    return `lateAck(${this.index})`;
  }
}

/** Model time passes. */
export class Tick extends Step {
  constructor(readonly ms: number) {
    super();
  }
  protected async apply(world: World): Promise<void> {
    await world.tick(this.ms);
  }
  toString(): string {
    return `tick(${this.ms})`;
  }
}

/** A handler stalls (takes nothing, acks nothing) or resumes. */
export class Pause extends Step {
  constructor(
    readonly p: number,
    readonly paused: boolean,
  ) {
    super();
  }
  protected apply(world: World): void {
    world.setPaused(this.p, this.paused);
  }
  toString(): string {
    return `${this.paused ? 'pause' : 'resume'}(${this.p})`;
  }
}

/** A rebalance takes partitions away (cooperative when others stay). */
export class Revoke extends Step {
  constructor(readonly ps: readonly number[]) {
    super();
  }
  protected apply(world: World): void {
    world.revoke(this.ps);
  }
  toString(): string {
    return `revoke(${list(this.ps)})`;
  }
}

/** A rebalance gives partitions (again). */
export class Assign extends Step {
  constructor(readonly ps: readonly number[]) {
    super();
  }
  protected apply(world: World): void {
    world.assign(this.ps);
  }
  toString(): string {
    return `assign(${list(this.ps)})`;
  }
}

/** Partitions are lost (session expired). */
export class Lose extends Step {
  constructor(readonly ps: readonly number[]) {
    super();
  }
  protected apply(world: World): void {
    world.lose(this.ps);
  }
  toString(): string {
    return `lose(${list(this.ps)})`;
  }
}

/** The member was fenced: it loses everything and is assigned it again in a new generation. */
export class Rejoin extends Step {
  protected apply(world: World): void {
    world.rejoin();
  }
  toString(): string {
    return 'rejoin()';
  }
}

/** The user releases a partition (a stuck handler). */
export class Release extends Step {
  constructor(readonly p: number) {
    super();
  }
  protected apply(world: World): void {
    world.release(this.p);
  }
  toString(): string {
    return `release(${this.p})`;
  }
}

/** The coordinator starts answering commits another way. */
export class CommitModeStep extends Step {
  constructor(readonly mode: CommitMode) {
    super();
  }
  protected apply(world: World): void {
    world.setCommitMode(this.mode);
  }
  toString(): string {
    return `commits(${this.mode})`;
  }
}

/** Commits take this long to be answered. */
export class CommitLatency extends Step {
  constructor(readonly ms: number) {
    super();
  }
  protected apply(world: World): void {
    world.setCommitLatency(this.ms);
  }
  toString(): string {
    return `commitLatency(${this.ms})`;
  }
}

/** Well-behaved subscribers and broker for a few rounds: the partitions with demand must progress. */
export class Settle extends Step {
  constructor(readonly rounds: number) {
    super();
  }
  protected async apply(world: World): Promise<void> {
    await settle(world, this.rounds, false);
  }
  toString(): string {
    return `settle(${this.rounds})`;
  }
}

/** The consumer stops. */
export class Stop extends Step {
  protected apply(world: World): void {
    world.stop();
  }
  toString(): string {
    return 'stop()';
  }
}

// ---- arbitraries ---------------------------------------------------------------------------------

const partition = fc.nat({ max: 127 });
const partitions = fc.uniqueArray(partition, { minLength: 1, maxLength: 6 });

/** Batch sizes from 1 to 5000 records, mostly small. */
export const batchRecords = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 20 }) },
  { weight: 3, arbitrary: fc.integer({ min: 21, max: 1500 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1501, max: 5000 }) },
);

/** A piece of a log. */
export const segment: fc.Arbitrary<Segment> = fc.record({
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constant('data' as const) },
    { weight: 1, arbitrary: fc.constant('gap' as const) },
    { weight: 1, arbitrary: fc.constant('commit' as const) },
    { weight: 1, arbitrary: fc.constant('abort' as const) },
  ),
  records: batchRecords,
  valueBytes: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 17, max: 1000 })),
});

/** Per-partition Fetch errors: re-routing and retriable ones, and rarely one the stage must see. */
const fetchError = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(6, 7, 56, 2, 3, 74) },
  { weight: 1, arbitrary: fc.constant(29) },
);

const answer = fc.record(
  {
    empty: fc.boolean(),
    cutTail: fc.boolean(),
    errorAt: fc.nat({ max: 63 }),
    errorCode: fetchError,
    throttleTimeMs: fc.constantFrom(0, 50, 500),
  },
  { requiredKeys: [] },
);

/** Every command, weighted so most runs move data and do something odd now and then (a stop in about one run of three). */
export function commandArbitraries(): fc.Arbitrary<fc.AsyncCommand<Model, World>>[] {
  const weighted = (weight: number, arbitrary: fc.Arbitrary<Step>): fc.WeightedArbitrary<Step> => ({ weight, arbitrary });
  const all = [
    weighted(12, fc.tuple(fc.nat(), fc.record({ cutTail: fc.boolean() }, { requiredKeys: [] })).map(([pick, how]) => new Answer(pick, how))),
    weighted(3, fc.tuple(fc.nat(), answer).map(([pick, how]) => new Answer(pick, how))),
    weighted(3, fc.nat().map((pick) => new FailFetch(pick))),
    weighted(6, fc.tuple(partition, fc.array(segment, { minLength: 1, maxLength: 3 })).map(([p, s]) => new Produce(p, s))),
    weighted(12, fc.tuple(partition, fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 11, max: 6000 }))).map(([p, n]) => new Demand(p, n))),
    weighted(
      4,
      fc
        .tuple(partition, fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 6000 })), fc.constantFrom<AckOrder>('oldest', 'newest', 'middle'), fc.constantFrom<AckForm>('record', 'offset', 'batch'))
        .map(([p, n, o, f]) => new Ack(p, n, o, f)),
    ),
    weighted(3, fc.tuple(partition, fc.nat()).map(([p, i]) => new AckAgain(p, i))),
    weighted(3, fc.tuple(partition, partition).map(([p, q]) => new AckForeign(p, q))),
    weighted(3, fc.nat().map((i) => new LateAck(i))),
    weighted(6, fc.constantFrom(10, 100, 600, 2500, 12_000).map((ms) => new Tick(ms))),
    weighted(3, fc.tuple(partition, fc.boolean()).map(([p, b]) => new Pause(p, b))),
    weighted(3, partitions.map((ps) => new Revoke(ps))),
    weighted(3, partitions.map((ps) => new Assign(ps))),
    weighted(3, partitions.map((ps) => new Lose(ps))),
    weighted(3, fc.constant(new Rejoin())),
    weighted(3, partition.map((p) => new Release(p))),
    weighted(3, fc.constantFrom<CommitMode>('ok', 'ok', 'fail', 'fence').map((m) => new CommitModeStep(m))),
    weighted(3, fc.constantFrom(0, 0, 20, 300).map((ms) => new CommitLatency(ms))),
    weighted(3, fc.integer({ min: 1, max: 20 }).map((r) => new Settle(r))),
    weighted(1, fc.constant(new Stop())),
  ];
  return [fc.oneof(...all)];
}
