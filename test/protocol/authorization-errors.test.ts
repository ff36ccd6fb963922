/**
 * The authorization error classes: every path that builds an error from a broker code
 * (kafkaError, kafkaErrorOf) gives the typed subclass for 29, 30, 31 and 53, with a stable code,
 * the resource named in the message and fields, never retriable, still a KafkaError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationError, ClusterAuthorizationError, GroupAuthorizationError, KafkaError, kafkaError, kafkaErrorOf, TopicAuthorizationError, TransactionalIdAuthorizationError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';
import * as publicApi from '../../src/index.js';

describe('authorization errors', () => {
  const cases = [
    { code: 29, type: TopicAuthorizationError, stable: 'ERR_TOPIC_AUTHORIZATION', context: { topic: 'orders', partition: 3, api: 'Produce' }, names: 'orders' },
    { code: 30, type: GroupAuthorizationError, stable: 'ERR_GROUP_AUTHORIZATION', context: { group: 'billing', api: 'JoinGroup' }, names: 'billing' },
    { code: 31, type: ClusterAuthorizationError, stable: 'ERR_CLUSTER_AUTHORIZATION', context: { api: 'InitProducerId' }, names: 'InitProducerId' },
    { code: 53, type: TransactionalIdAuthorizationError, stable: 'ERR_TRANSACTIONAL_ID_AUTHORIZATION', context: { transactionalId: 'tx-1', api: 'InitProducerId' }, names: 'tx-1' },
  ] as const;

  for (const c of cases) {
    it(`code ${c.code} → ${c.type.name} (${c.stable})`, () => {
      for (const error of [kafkaError(c.code, c.context, { brokerMessage: 'denied' }), kafkaErrorOf(c.code, c.context, { brokerMessage: 'denied' })]) {
        assert.ok(error instanceof c.type, `${c.type.name}, got ${String(error)}`);
        assert.ok(error instanceof AuthorizationError);
        assert.ok(error instanceof KafkaError);
        assert.ok(error instanceof KafkaStageError);
        assert.equal(error.code, c.stable);
        assert.equal(error.errorCode, c.code);
        assert.equal(error.name, c.type.name);
        assert.equal(error.retriable, false);
        assert.equal(error.brokerMessage, 'denied');
        assert.ok(error.message.includes(c.names), error.message);
        assert.ok(error.message.includes('denied'), error.message);
        assert.equal(c.type.ERROR_CODE, c.code);
      }
    });
  }

  it('names the resource in typed fields', () => {
    assert.deepEqual(new TopicAuthorizationError({ topic: 'a' }).topics, ['a']);
    assert.deepEqual(new TopicAuthorizationError({ topics: ['a', 'b'] }).topics, ['a', 'b']);
    assert.deepEqual(new TopicAuthorizationError().topics, []);
    assert.equal(new GroupAuthorizationError({ group: 'g' }).groupId, 'g');
    assert.equal(new GroupAuthorizationError().groupId, null);
    assert.equal(new TransactionalIdAuthorizationError({ transactionalId: 't' }).transactionalId, 't');
    assert.equal(new ClusterAuthorizationError().resourceType, 'cluster');
  });

  it('other codes stay plain KafkaErrors; 0 is no error', () => {
    const other = kafkaErrorOf(3, { topic: 't' });
    assert.equal(other.constructor, KafkaError);
    assert.equal(other.code, 'ERR_KAFKA');
    assert.equal(kafkaError(0), null);
  });

  it('are exported from the package root', () => {
    for (const name of ['AuthorizationError', 'TopicAuthorizationError', 'GroupAuthorizationError', 'ClusterAuthorizationError', 'TransactionalIdAuthorizationError']) {
      assert.equal(typeof (publicApi as Record<string, unknown>)[name], 'function', name);
    }
  });
});
