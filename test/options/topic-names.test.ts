/**
 * Kafka's topic name rule (1-249 characters of a-z A-Z 0-9 . _ -, not '.' or '..') is checked at
 * once wherever a topic name enters: subscriptions, standalone partitions, producer sends, admin
 * calls. And a subscriber that is not a function is refused by the constructor.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { resolveReadPartitionOptions } from '../../src/consumer/fetch-options.js';
import { resolveConsumerGroupOptions, resolveStandaloneOptions } from '../../src/consumer/options.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { checkTopicName } from '../../src/options/validate.js';
import { Producer } from '../../src/producer/producer.js';
import { InvalidOptionError } from '../../src/errors.js';

const brokers = '127.0.0.1:9';
const ILLEGAL: unknown[] = ['', '.', '..', 'a b', 'topic/x', 'ümlaut', 'x'.repeat(250), 'tab\t', 42, null];
const LEGAL = ['t', 'a.b_c-D9', '...', 'x'.repeat(249)];

function namesOption(option: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(err)}`);
    assert.equal(err.option, option);
    return true;
  };
}

const loose = <T>(value: unknown): T => value as T;

test('checkTopicName accepts what Kafka accepts and nothing else', () => {
  for (const name of LEGAL) assert.equal(checkTopicName('topic', name), name);
  for (const name of ILLEGAL) assert.throws(() => checkTopicName('topic', name), namesOption('topic'), JSON.stringify(name));
  // A very long name is not echoed whole.
  assert.throws(() => checkTopicName('topic', 'y'.repeat(5000)), (err: unknown) => err instanceof Error && err.message.length < 400 && /5000 characters/.test(err.message));
});

test('every client checks topic names at once, before any I/O', async () => {
  for (const name of ILLEGAL) {
    const label = JSON.stringify(name);
    assert.throws(() => resolveConsumerGroupOptions(loose({ brokers, groupId: 'g', topics: ['ok', name] })), namesOption('topics[1]'), label);
    assert.throws(() => resolveStandaloneOptions(loose({ brokers, partitions: [{ topic: name, partition: 0 }] })), namesOption('partitions[0].topic'), label);
    // Unreachable broker: a check that waited for I/O would not reject with InvalidOptionError.
    const producer = new Producer({ brokers });
    await assert.rejects(producer.send(loose(name), { value: 'v' }), namesOption('topic'), label);
    await producer.close();
    const admin = new Admin({ brokers });
    await assert.rejects(admin.createTopics([{ topic: loose(name), partitions: 1 }]), namesOption('topics[0].topic'), label);
    await assert.rejects(admin.deleteTopics([loose(name)]), namesOption('names[0]'), label);
    await admin.close();
  }
});

test('a subscriber that is not a function is an InvalidOptionError from the constructor', () => {
  for (const bad of ['handler', 42, {}, [], true]) {
    assert.throws(() => new ConsumerGroup({ brokers, groupId: 'g', topics: ['t'] }, loose<never>(bad)), namesOption('subscriber'), String(bad));
    assert.throws(() => new StandaloneConsumer({ brokers, partitions: [{ topic: 't', partition: 0 }] }, loose<never>(bad)), namesOption('subscriber'), String(bad));
  }
  // Absent (the stream is used instead) is fine.
  assert.doesNotThrow(() => new ConsumerGroup({ brokers, groupId: 'g', topics: ['t'] }));
});

test('readPartition options check the topic name too', () => {
  assert.throws(() => resolveReadPartitionOptions(loose({ topic: 'a/b', partition: 0, fromOffset: 0 })), namesOption('topic'));
  assert.equal(resolveReadPartitionOptions({ topic: 'a.b', partition: 0, fromOffset: 0 }).topic, 'a.b');
});

test('a dead-letter topic given by name follows the rule too', () => {
  const options = (topic: unknown) => loose<Parameters<typeof resolveConsumerGroupOptions>[0]>({ brokers, groupId: 'g', topics: ['t'], onFailure: { deadLetter: { topic } } });
  assert.throws(() => resolveConsumerGroupOptions(options('dead letters')), namesOption('onFailure.deadLetter.topic'));
  assert.throws(() => resolveConsumerGroupOptions(options('')), namesOption('onFailure.deadLetter.topic'));
  assert.doesNotThrow(() => resolveConsumerGroupOptions(options('orders.dlt')));
});
