/** KafkaError: the error for a code a broker answered with. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaStageError } from '../../src/errors.js';
import { KafkaError, kafkaError } from '../../src/protocol/kafka-error.js';

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
