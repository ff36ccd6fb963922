/** The Kafka error-code table: names, codes, the retriable and invalidMetadata columns. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, errorNameOf, isInvalidMetadata, isRetriable, KAFKA_ERROR_CODES, KAFKA_ERRORS, kafkaErrorInfo } from '../../src/protocol/error-codes.js';

describe('error-code table', () => {
  it('covers every code from -1 to 136 with a unique name and a message', () => {
    for (let code = -1; code <= 136; code++) {
      const info = KAFKA_ERRORS.get(code);
      assert.ok(info, `code ${code} missing`);
      assert.match(info.name, /^[A-Z0-9_]+$/);
      assert.ok(info.message.length > 5, `message of ${info.name}`);
    }
    assert.equal(KAFKA_ERROR_CODES.size, KAFKA_ERRORS.size, 'names are unique');
  });

  it('names codes as Kafka does', () => {
    const expected: [number, string][] = [
      [-1, 'UNKNOWN_SERVER_ERROR'],
      [0, 'NONE'],
      [1, 'OFFSET_OUT_OF_RANGE'],
      [3, 'UNKNOWN_TOPIC_OR_PARTITION'],
      [6, 'NOT_LEADER_OR_FOLLOWER'],
      [15, 'COORDINATOR_NOT_AVAILABLE'],
      [22, 'ILLEGAL_GENERATION'],
      [25, 'UNKNOWN_MEMBER_ID'],
      [27, 'REBALANCE_IN_PROGRESS'],
      [35, 'UNSUPPORTED_VERSION'],
      [36, 'TOPIC_ALREADY_EXISTS'],
      [47, 'INVALID_PRODUCER_EPOCH'],
      [79, 'MEMBER_ID_REQUIRED'],
      [82, 'FENCED_INSTANCE_ID'],
      [100, 'UNKNOWN_TOPIC_ID'],
      [110, 'FENCED_MEMBER_EPOCH'],
      [120, 'TRANSACTION_ABORTABLE'],
    ];
    for (const [code, name] of expected) {
      assert.equal(errorNameOf(code), name);
      assert.equal(KAFKA_ERROR_CODES.get(name), code);
    }
  });

  it('marks retriable exactly the codes the Java client retries', () => {
    const retriable = [2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74, 75, 78, 80, 83, 84, 88, 89, 100, 103, 106, 122, 123, 133];
    const actual = [...KAFKA_ERRORS].filter(([, info]) => info.retriable).map(([code]) => code);
    assert.deepEqual(actual, retriable);
    for (const code of [-1, 0, 1, 22, 25, 27, 35, 36, 47, 82, 90]) assert.equal(isRetriable(code), false, errorNameOf(code));
  });

  it('gives unknown codes a name and never retries them', () => {
    assert.equal(errorNameOf(9999), 'UNKNOWN_9999');
    assert.equal(errorNameOf(-7), 'UNKNOWN_-7');
    assert.equal(isRetriable(9999), false);
    assert.equal(kafkaErrorInfo(500).retriable, false);
  });

  it('names every code once as a typed constant: ErrorCode.NAME is the literal number', () => {
    const six: 6 = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.equal(six, 6);
    assert.equal(ErrorCode.NONE, 0);
    assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
    assert.equal(Object.keys(ErrorCode).length, KAFKA_ERRORS.size);
    for (const [name, code] of Object.entries(ErrorCode) as [string, number][]) assert.equal(errorNameOf(code), name);
    assert.ok(Object.isFrozen(ErrorCode));
  });

  it("marks invalidMetadata exactly where Java's exception is an InvalidMetadataException, each of them retriable", () => {
    const marked = [...KAFKA_ERRORS.values()].filter((info) => info.invalidMetadata).map((info) => info.name);
    assert.deepEqual(marked.sort(), [
      'FENCED_LEADER_EPOCH',
      'INCONSISTENT_TOPIC_ID',
      'KAFKA_STORAGE_ERROR',
      'LEADER_NOT_AVAILABLE',
      'NETWORK_EXCEPTION',
      'NOT_LEADER_OR_FOLLOWER',
      'REPLICA_NOT_AVAILABLE',
      'UNKNOWN_TOPIC_ID',
      'UNKNOWN_TOPIC_OR_PARTITION',
    ]);
    for (const name of marked) assert.ok(isRetriable(ErrorCode[name as keyof typeof ErrorCode]), `${name} is retriable`);
    // The broker is behind the client: retry, the client's metadata is not the stale one.
    assert.equal(isInvalidMetadata(ErrorCode.UNKNOWN_LEADER_EPOCH), false);
    assert.equal(isInvalidMetadata(ErrorCode.NOT_ENOUGH_REPLICAS), false);
    assert.equal(isInvalidMetadata(ErrorCode.NOT_COORDINATOR), false);
    assert.equal(isInvalidMetadata(9999), false);
  });
});
