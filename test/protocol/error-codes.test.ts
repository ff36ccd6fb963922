/** The Kafka error-code table and KafkaError. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorNameOf,
  isRetriable,
  KAFKA_ERROR_CODES,
  KAFKA_ERRORS,
  KafkaError,
  kafkaError,
  kafkaErrorInfo,
} from '../../src/protocol/error-codes.js';
import { KafkaStageError } from '../../src/protocol/errors.js';

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
});

describe('KafkaError', () => {
  it('kafkaError returns null for 0 and a typed error otherwise', () => {
    assert.equal(kafkaError(0, { topic: 't' }), null);
    const err = kafkaError(6, { broker: '127.0.0.1:9092', topic: 't', partition: 2, api: 'Fetch' });
    assert.ok(err instanceof KafkaError);
    assert.ok(err instanceof KafkaStageError);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'ERR_KAFKA');
    assert.equal(err.errorCode, 6);
    assert.equal(err.errorName, 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(err.retriable, true);
    assert.equal(err.name, 'KafkaError');
    assert.deepEqual(err.context, { broker: '127.0.0.1:9092', topic: 't', partition: 2, api: 'Fetch' });
    assert.match(err.message, /NOT_LEADER_OR_FOLLOWER \(6\)/);
    assert.match(err.message, /t\/2/);
    assert.match(err.message, /127\.0\.0\.1:9092/);
  });

  it('carries the broker message and the cause', () => {
    const cause = new Error('root');
    const err = new KafkaError(36, { topic: 'x' }, { brokerMessage: "Topic 'x' already exists.", cause });
    assert.equal(err.retriable, false);
    assert.equal(err.brokerMessage, "Topic 'x' already exists.");
    assert.equal(err.cause, cause);
    assert.match(err.message, /already exists/);
  });

  it('unknown codes become non-retriable errors with a synthetic name', () => {
    const err = new KafkaError(4242);
    assert.equal(err.errorName, 'UNKNOWN_4242');
    assert.equal(err.retriable, false);
    assert.deepEqual(err.context, {});
  });
});
