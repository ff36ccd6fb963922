/**
 * The base of every error kafka-stage throws, and the few errors any layer may throw (a bad option,
 * a bad argument, an abort). Each layer's own errors live in that layer's `errors.ts`; this file is
 * the bottom of the layer order and imports nothing.
 *
 * `instanceof` works across two copies of the package (two versions in one `node_modules` tree, or
 * an ESM and a CJS copy): every class names itself with a `brand`, each instance carries the brands
 * of its class chain under a `Symbol.for` key, and `Symbol.hasInstance` checks those brands when the
 * ordinary prototype check fails. A `Symbol.for` key is the same symbol in every copy; the brands are
 * written out rather than taken from `constructor.name`, which a minifier may rename.
 */

/** Where an error happened, as far as it is known. */
export interface ErrorContext {
  /** Broker address `host:port` or node id the error relates to. */
  broker?: string | number;
  /** Topic name. */
  topic?: string;
  /** Partition index. */
  partition?: number;
  /** Kafka API name, e.g. `Fetch`. */
  api?: string;
  /** Any further detail useful in a log line. */
  [key: string]: unknown;
}

/** Stable error codes of errors raised by kafka-stage itself (not by the broker). */
export type KafkaStageErrorCode =
  | 'ERR_PROTOCOL'
  | 'ERR_NO_PROGRESS'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CONNECTION'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_REQUEST_TIMEOUT'
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_CORRUPT_RECORD'
  | 'ERR_COMPRESSION'
  | 'ERR_CODEC_UNAVAILABLE'
  | 'ERR_KAFKA'
  | 'ERR_METADATA'
  | 'ERR_RETRIES_EXHAUSTED'
  | 'ERR_CLOSED'
  | 'ERR_ALREADY_STARTED'
  | 'ERR_LISTENER'
  | 'ERR_ABORTED'
  | 'ERR_ADMIN_OPERATION'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_DELIVERY_TIMEOUT'
  | 'ERR_STAGE_BUSY'
  | 'ERR_NO_OFFSET'
  | 'ERR_PARTITION_NOT_OWNED'
  | 'ERR_COMMIT_LOST'
  | 'ERR_SUBSCRIBER'
  | 'ERR_SASL_AUTHENTICATION'
  | 'ERR_UNSUPPORTED_SASL_MECHANISM'
  | 'ERR_SUBSCRIBER_TIMEOUT'
  | 'ERR_PARTITION_STOPPED'
  | 'ERR_TOPIC_AUTHORIZATION'
  | 'ERR_GROUP_AUTHORIZATION'
  | 'ERR_CLUSTER_AUTHORIZATION'
  | 'ERR_TRANSACTIONAL_ID_AUTHORIZATION'
  | 'ERR_GROUP_NOT_EMPTY';

/** The key under which an instance lists the brands of its class chain; the same symbol in every copy. */
const BRANDS = Symbol.for('kafka-stage.error');

/** The brands of `value`'s class chain, or none when it is not a kafka-stage error of any copy. */
function brandsOf(value: unknown): readonly unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const brands = (value as { [BRANDS]?: unknown })[BRANDS];
  return Array.isArray(brands) ? brands : [];
}

/** The brand a class declares itself (not one it inherits), if any. */
function ownBrand(cls: object): string | undefined {
  return Object.hasOwn(cls, 'brand') ? (cls as { brand?: unknown }).brand as string : undefined;
}

/** The brands of `cls` and every class above it up to {@link KafkaStageError}, most derived first. */
function brandChain(cls: object): string[] {
  const brands: string[] = [];
  for (let c: object | null = cls; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
    const brand = ownBrand(c);
    if (brand !== undefined) brands.push(brand);
  }
  return brands;
}

/** Base class of every error kafka-stage throws. */
export class KafkaStageError extends Error {
  /**
   * The class's name across copies of the package: every subclass declares its own (its exported
   * name), so `instanceof` can recognise an instance made by another copy.
   */
  static readonly brand: string = 'KafkaStageError';

  /**
   * True for an instance of this class made by this copy of the package or by another one. A
   * subclass that declares no brand of its own is recognised in its own copy only.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const brand = ownBrand(this);
    return brand !== undefined && brandsOf(value).includes(brand);
  }

  /** Stable machine-readable code. */
  readonly code: KafkaStageErrorCode;
  /** Context of the failure (broker, topic, partition, api, ...). */
  readonly context: ErrorContext;
  /** True when repeating the operation may succeed. */
  readonly retriable: boolean;

  constructor(
    code: KafkaStageErrorCode,
    message: string,
    options: { cause?: unknown; context?: ErrorContext; retriable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
    this.retriable = options.retriable ?? false;
    // Not enumerable: logs and deepEqual see the error's fields, not the bookkeeping.
    Object.defineProperty(this, BRANDS, { value: Object.freeze(brandChain(new.target)) });
  }
}

/** An option given by the user is invalid. `option` names it, as the user spelled it. */
export class InvalidOptionError extends KafkaStageError {
  static override readonly brand: string = 'InvalidOptionError';
  /** Dotted path of the offending option, e.g. `producer.lingerMs`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('ERR_INVALID_OPTION', `invalid option ${option}: ${message}`, { context: { option } });
    this.option = option;
  }
}

/**
 * An argument given to a method is invalid (an option object's fields fail with
 * {@link InvalidOptionError} instead). `argument` names it as the method's documentation does;
 * nothing was done.
 */
export class InvalidArgumentError extends KafkaStageError {
  static override readonly brand: string = 'InvalidArgumentError';
  /** The offending argument, e.g. `n` of `ask(n)`. */
  readonly argument: string;

  constructor(argument: string, message: string, context: ErrorContext = {}) {
    super('ERR_INVALID_ARGUMENT', message, { context: { ...context, argument }, retriable: false });
    this.argument = argument;
  }
}

/** An operation was cancelled through an `AbortSignal`; `cause` is the signal's reason. Not retriable. */
export class AbortedError extends KafkaStageError {
  static override readonly brand: string = 'AbortedError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_ABORTED', message, { context, cause, retriable: false });
  }
}
