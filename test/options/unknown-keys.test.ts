/**
 * Options that explain themselves: every options object of every role, nested ones included,
 * rejects a key it does not know with an InvalidOptionError naming the key's path, and says what
 * was probably meant (the nearest known key, or the kafka-stage name of a KafkaJS option).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { resolveAdminOptions } from '../../src/admin/options.js';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { resolveReadPartitionOptions } from '../../src/consumer/fetch-options.js';
import { resolveConsumerGroupOptions, resolveStandaloneOptions } from '../../src/consumer/options.js';
import { resolveProducerOptions } from '../../src/producer/options.js';
import { KAFKAJS_NAMES } from '../../src/options/kafkajs-names.js';
import { editDistance, nearestKey } from '../../src/options/suggest.js';
import { InvalidOptionError } from '../../src/errors.js';
import { invalidOption } from '../helpers/invalid-option.js';

const brokers = '127.0.0.1:9';
const group = { brokers, groupId: 'g', topics: ['t'] };
const standalone = { brokers, partitions: [{ topic: 't', partition: 0 }] };

/** Asserts `fn` fails naming `option`, with `hint` in the message. */
async function rejects(fn: () => unknown, option: string, hint: RegExp | string): Promise<void> {
  const err = await invalidOption(fn);
  assert.equal(err.option, option, err.message);
  if (typeof hint === 'string') assert.ok(err.message.includes(hint), `'${hint}' not in: ${err.message}`);
  else assert.match(err.message, hint);
}

// Resolvers take typed options; these tests pass what a JavaScript user could.
const loose = <T>(value: unknown): T => value as T;

test('every nested options object rejects unknown keys, naming their path (retry was not checked)', async () => {
  await rejects(() => resolveClusterOptions(loose({ brokers, retry: { retries: 3, maxRetryTimeMs: 5 } })), 'retry.maxRetryTimeMs', 'unknown');
  await rejects(() => resolveProducerOptions(loose({ brokers, retry: { bogus: 1 } })), 'retry.bogus', 'unknown');
  await rejects(() => resolveAdminOptions(loose({ brokers, retry: { bogus: 1 } })), 'retry.bogus', 'unknown');
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, retry: { bogus: 1 } })), 'retry.bogus', 'unknown');
  await rejects(() => resolveStandaloneOptions(loose({ ...standalone, retry: { bogus: 1 } })), 'retry.bogus', 'unknown');
  await rejects(() => resolveClusterOptions(loose({ brokers, retry: 5 })), 'retry', 'expected an object');
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, commit: { bogus: 1 } })), 'commit.bogus', 'unknown');
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, buffer: { bogus: 1 } })), 'buffer.bogus', 'unknown');
  await rejects(() => resolveStandaloneOptions(loose({ ...standalone, fetch: { bogus: 1 } })), 'fetch.bogus', 'unknown');
  await rejects(() => resolveStandaloneOptions(loose({ brokers, partitions: [{ topic: 't', partition: 0, fromOffset: 3 }] })), 'partitions[0].fromOffset', 'unknown');
  await rejects(() => resolveClusterOptions(loose({ brokers, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p', user: 'x' } })), 'sasl.user', "did you mean 'username'?");
  await rejects(() => resolveProducerOptions(loose({ brokers, bogus: 1 })), 'bogus', 'unknown producer option');
  await rejects(() => resolveAdminOptions(loose({ brokers, bogus: 1 })), 'bogus', 'unknown admin option');
  await rejects(() => resolveReadPartitionOptions(loose({ topic: 't', partition: 0, fromOffset: 0, maxWait: 5 })), 'maxWait', "did you mean 'maxWaitMs'?");
  const admin = new Admin({ brokers });
  await rejects(() => admin.createTopics(loose([{ topic: 't', partitions: 1, bogus: 1 }])), 'topics[0].bogus', 'unknown');
  await rejects(() => admin.deleteTopics(['t'], loose({ timeout: 5 })), 'options.timeout', "for KafkaJS's 'timeout' use timeoutMs");
});

test('a misspelt key gets the nearest known one', async () => {
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, sessionTimeotMs: 1 })), 'sessionTimeotMs', "did you mean 'sessionTimeoutMs'?");
  await rejects(() => resolveProducerOptions(loose({ brokers, lingerMS: 1 })), 'lingerMS', "did you mean 'lingerMs'?");
  await rejects(() => resolveClusterOptions(loose({ brokers, retry: { maxBackofMs: 1 } })), 'retry.maxBackofMs', "did you mean 'maxBackoffMs'?");
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, commit: { stratgey: 'sync' } })), 'commit.stratgey', "did you mean 'strategy'?");
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, groupID: 'g2' })), 'groupID', "did you mean 'groupId'?");
  // Nothing close: no guess, but the known keys are listed.
  const err = await invalidOption(() => resolveProducerOptions(loose({ brokers, zzzzzzzz: 1 })));
  assert.doesNotMatch(err.message, /did you mean/);
  assert.match(err.message, /known: .*lingerMs/);
});

test('KafkaJS option names are answered with the kafka-stage name', async () => {
  const cases: [options: () => unknown, option: string, hint: string][] = [
    [() => resolveConsumerGroupOptions(loose({ ...group, fromBeginning: true })), 'fromBeginning', "autoOffsetReset: 'earliest'"],
    [() => resolveProducerOptions(loose({ brokers, ssl: true })), 'ssl', 'tls'],
    [() => resolveConsumerGroupOptions(loose({ ...group, maxBytesPerPartition: 1 })), 'maxBytesPerPartition', 'buffer.maxBytesPerPartition'],
    [() => resolveConsumerGroupOptions(loose({ ...group, sessionTimeout: 1 })), 'sessionTimeout', 'sessionTimeoutMs'],
    [() => resolveConsumerGroupOptions(loose({ ...group, heartbeatInterval: 1 })), 'heartbeatInterval', 'heartbeatIntervalMs'],
    [() => resolveConsumerGroupOptions(loose({ ...group, rebalanceTimeout: 1 })), 'rebalanceTimeout', 'rebalanceTimeoutMs'],
    [() => resolveConsumerGroupOptions(loose({ ...group, maxWaitTimeInMs: 1 })), 'maxWaitTimeInMs', 'fetch.maxWaitMs'],
    [() => resolveConsumerGroupOptions(loose({ ...group, minBytes: 1 })), 'minBytes', 'fetch.minBytes'],
    [() => resolveConsumerGroupOptions(loose({ ...group, maxBytes: 1 })), 'maxBytes', 'buffer.maxBytes'],
    [() => resolveProducerOptions(loose({ brokers, allowAutoTopicCreation: true })), 'allowAutoTopicCreation', 'Admin.createTopics'],
    [() => resolveClusterOptions(loose({ brokers, retry: { maxRetryTime: 1 } })), 'retry.maxRetryTime', 'retry.maxBackoffMs'],
    [() => resolveClusterOptions(loose({ brokers, retry: { initialRetryTime: 1 } })), 'retry.initialRetryTime', 'retry.initialBackoffMs'],
    [() => resolveAdminOptions(loose({ brokers, connectionTimeout: 1 })), 'connectionTimeout', 'connectTimeoutMs'],
    [() => resolveAdminOptions(loose({ brokers, requestTimeout: 1 })), 'requestTimeout', 'requestTimeoutMs'],
    [() => resolveAdminOptions(loose({ brokers, authenticationTimeout: 1 })), 'authenticationTimeout', 'connectTimeoutMs'],
    [() => resolveProducerOptions(loose({ brokers, logLevel: 4 })), 'logLevel', 'logger'],
    [() => resolveProducerOptions(loose({ brokers, logCreator: () => undefined })), 'logCreator', 'logger'],
    [() => resolveProducerOptions(loose({ brokers, maxInFlightRequests: 1 })), 'maxInFlightRequests', 'maxInFlight'],
    [() => resolveConsumerGroupOptions(loose({ ...group, partitionAssigners: [] })), 'partitionAssigners', 'assignors'],
    [() => resolveConsumerGroupOptions(loose({ ...group, autoCommitInterval: 1 })), 'autoCommitInterval', 'commit.intervalMs'],
    [() => new Admin({ brokers }).createTopics(loose([{ topic: 't', numPartitions: 3 }])), 'topics[0].numPartitions', 'use partitions'],
  ];
  for (const [fn, option, hint] of cases) await rejects(fn, option, `KafkaJS's '${option.split('.').at(-1) ?? option}'`).then(() => rejects(fn, option, hint));
});

/** Sets `path` (dotted) to undefined in a copy of `base`: the key is present, its value the default. */
function withKey(base: Record<string, unknown>, path: string): Record<string, unknown> {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...base, [head]: undefined };
  return { ...base, [head]: withKey((base[head] as Record<string, unknown> | undefined) ?? {}, rest.join('.')) };
}

test('every kafka-stage name the KafkaJS table gives is an option some role accepts', () => {
  const resolvers: ((path: string) => unknown)[] = [
    (p) => resolveConsumerGroupOptions(loose(withKey(group, p))),
    (p) => resolveStandaloneOptions(loose(withKey(standalone, p))),
    (p) => resolveProducerOptions(loose(withKey({ brokers }, p))),
    (p) => resolveAdminOptions(loose(withKey({ brokers }, p))),
  ];
  // Entries inside admin call options and createTopics entries name keys of those objects.
  const callKeys = ['timeoutMs', 'validateOnly', 'ignoreExisting', 'partitions', 'configs', 'replicationFactor'];
  for (const [from, mapping] of Object.entries(KAFKAJS_NAMES)) {
    if (!('to' in mapping) || mapping.to.startsWith('the ')) continue;
    const name = (/^[\w.]+/.exec(mapping.to) ?? [''])[0];
    if (from.includes('[]') || from.startsWith('options.')) {
      assert.ok(callKeys.includes(name), `${from} -> ${name}`);
      continue;
    }
    const accepted = resolvers.some((resolve) => {
      try {
        resolve(name);
        return true;
      } catch (err) {
        assert.ok(err instanceof InvalidOptionError, String(err));
        return !/unknown/.test(err.message);
      }
    });
    assert.ok(accepted, `KAFKAJS_NAMES.${from} names '${name}', which no role accepts`);
  }
});

test('edit distance counts swaps as one edit and ignores case; far keys are not suggested', () => {
  assert.equal(editDistance('lingerMS', 'lingerMs'), 0);
  assert.equal(editDistance('stratgey', 'strategy'), 1);
  assert.equal(editDistance('sessionTimeout', 'sessionTimeoutMs'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(nearestKey('acks', ['acks', 'lingerMs']), 'acks');
  assert.equal(nearestKey('xyz', ['acks', 'lingerMs']), undefined);
  assert.equal(nearestKey('constructor', ['acks']), undefined);
});

test('tls: a near miss of a Node TLS option is refused with the right name; other keys pass through to Node', async () => {
  await rejects(() => resolveClusterOptions(loose({ brokers, tls: { rejectUnauthorised: false } })), 'tls.rejectUnauthorised', "did you mean 'rejectUnauthorized'?");
  await rejects(() => resolveClusterOptions(loose({ brokers, tls: { servrename: 'kafka' } })), 'tls.servrename', "did you mean 'servername'?");
  await rejects(() => resolveClusterOptions(loose({ brokers, tls: { minversion: 'TLSv1.2' } })), 'tls.minversion', "did you mean 'minVersion'?");
  // Unlike any known option: a newer Node's option, passed on as before.
  assert.ok(resolveClusterOptions(loose({ brokers, tls: { someFutureNodeOption: 1 } })).tls);
});

test('a value off by case or a typo gets the value meant (KafkaJS writes mechanisms in lower case)', async () => {
  await rejects(() => resolveClusterOptions(loose({ brokers, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })), 'sasl.mechanism', "did you mean 'PLAIN'?");
  await rejects(() => resolveConsumerGroupOptions(loose({ ...group, autoOffsetReset: 'earliset' })), 'autoOffsetReset', "did you mean 'earliest'?");
  await rejects(
    () => resolveClusterOptions(loose({ brokers, sasl: { mechanism: 'OAUTHBEARER', oauthBearerProvider: () => undefined } })),
    'sasl.oauthBearerProvider',
    "for KafkaJS's 'oauthBearerProvider' use sasl.token",
  );
});
