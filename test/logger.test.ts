/**
 * The logger: line format and levels of the default stderr logger, NODE_DEBUG=kafka-stage (in a
 * child process, since Node reads it once), the `logger` option of every client, console / pino /
 * bunyan / KafkaJS-style loggers, a logger that throws, an `error` event nobody listens to, and no
 * secret in any line logged while a SASL or TLS connection fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Admin } from '../src/admin/admin.js';
import { ConsumerGroup } from '../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../src/consumer/standalone-consumer.js';
import { ConsumerEmitter } from '../src/consumer/consumer-emitter.js';
import { createStderrLogger, formatFields, loggerFromPino, partitionsField, resolveLogger, SILENT_LOGGER, type LogFields, type Logger } from '../src/logger.js';
import { Producer } from '../src/producer/producer.js';
import { Metadata } from '../src/protocol/apis/index.js';
import { InvalidOptionError, KafkaStageError } from '../src/errors.js';
import { hasOpenssl, TestPki } from './cluster/tls-fixtures.js';
import { captureLogger as capture, deadPort, type LogEntry as Entry } from './helpers/capture-logger.js';
import { FakeBroker } from './helpers/fake-broker.js';
import { installSaslServer } from './network/sasl/fake-sasl-server.js';

const fast = { retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10, deadlineMs: 2_000 }, connectTimeoutMs: 1_000 };

describe('the default stderr logger', () => {
  it('writes warn and error, and debug and info only when asked', () => {
    const lines: string[] = [];
    const quiet = createStderrLogger({ debug: false, write: (l) => void lines.push(l) });
    quiet.debug('d');
    quiet.info('i');
    quiet.warn('w', { broker: 'h:9092' });
    quiet.error('e');
    assert.deepEqual(lines, ['kafka-stage WARN w broker=h:9092\n', 'kafka-stage ERROR e\n']);
    lines.length = 0;
    const verbose = createStderrLogger({ debug: true, write: (l) => void lines.push(l) });
    verbose.debug('d');
    verbose.info('i', { partition: 3 });
    assert.deepEqual(lines, ['kafka-stage DEBUG d\n', 'kafka-stage INFO i partition=3\n']);
  });

  it('formats fields: plain words bare, other strings quoted, numbers, lists, errors by name, code and message', () => {
    const err = new KafkaStageError('ERR_CONNECTION', 'connect ECONNREFUSED 127.0.0.1:1');
    assert.equal(
      formatFields({ topic: 'orders', partitions: 'orders:0,1 pay:2', n: 5, ok: true, none: null, list: [1, 2], skipped: undefined, err }),
      ' topic=orders partitions="orders:0,1 pay:2" n=5 ok=true none=null list=[1,2] err="KafkaStageError ERR_CONNECTION: connect ECONNREFUSED 127.0.0.1:1"',
    );
    assert.equal(formatFields(undefined), '');
  });

  it('follows an error line with the stacks of its error and the causes', () => {
    const lines: string[] = [];
    const logger = createStderrLogger({ debug: false, write: (l) => void lines.push(l) });
    const cause = new TypeError('handler bug');
    logger.error('consumer error', { err: new KafkaStageError('ERR_SUBSCRIBER', 'subscriber failed', { cause }) });
    const text = lines.join('');
    assert.match(text, /^kafka-stage ERROR consumer error err="KafkaStageError ERR_SUBSCRIBER: subscriber failed"\n/);
    assert.match(text, /\n {4}caused by TypeError: handler bug\n {4}at .*logger\.test\.ts/);
    // warn lines stay one line each
    lines.length = 0;
    logger.warn('w', { err: cause });
    assert.equal(lines.join(''), 'kafka-stage WARN w err="TypeError: handler bug"\n');
  });

  it('NODE_DEBUG=kafka-stage turns on debug and info lines', () => {
    const script = "import { createStderrLogger } from './src/logger.ts'; const l = createStderrLogger(); l.debug('d1'); l.info('i1'); l.warn('w1');";
    const run = (nodeDebug: string | undefined) => {
      const env = { ...process.env };
      delete env.NODE_DEBUG;
      if (nodeDebug !== undefined) env.NODE_DEBUG = nodeDebug;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stderr.split('\n').filter((l) => l.startsWith('kafka-stage '));
    };
    assert.deepEqual(run(undefined), ['kafka-stage WARN w1']);
    assert.deepEqual(run('net,kafka-stage'), ['kafka-stage DEBUG d1', 'kafka-stage INFO i1', 'kafka-stage WARN w1']);
    assert.deepEqual(run('kafka-other'), ['kafka-stage WARN w1']);
  });
});

describe('the logger option', () => {
  it('undefined is the stderr logger, false drops everything, a non-logger is refused', () => {
    assert.equal(resolveLogger(false), SILENT_LOGGER);
    assert.equal(typeof resolveLogger(undefined).warn, 'function');
    assert.throws(() => resolveLogger({ debug() {}, info() {}, warn() {} } as unknown as Logger), /logger\.error must be a function/);
    for (const make of [
      (logger: unknown) => new Producer({ brokers: ['h:1'], logger: logger as Logger }),
      (logger: unknown) => new Admin({ brokers: ['h:1'], logger: logger as Logger }),
      (logger: unknown) => new ConsumerGroup({ brokers: ['h:1'], groupId: 'g', topics: ['t'], logger: logger as Logger }),
      (logger: unknown) => new StandaloneConsumer({ brokers: ['h:1'], partitions: [{ topic: 't', partition: 0 }], logger: logger as Logger }),
    ]) {
      assert.throws(() => make({ info() {} }), (err) => err instanceof InvalidOptionError && /logger/.test(err.message));
      assert.throws(() => make('console'), InvalidOptionError);
      assert.doesNotThrow(() => make(false));
    }
  });

  it('every client logs through it: an unreachable broker is one warning naming it', async () => {
    const port = await deadPort();
    const brokers = [`127.0.0.1:${port}`];
    const clients: [string, (logger: Logger) => Promise<unknown>][] = [
      ['Producer', async (logger) => {
        const p = new Producer({ brokers, logger, ...fast });
        try {
          await p.connect();
        } finally {
          await p.close();
        }
      }],
      ['Admin', async (logger) => {
        const a = new Admin({ brokers, logger, ...fast });
        try {
          await a.connect();
        } finally {
          await a.close();
        }
      }],
      ['ConsumerGroup', (logger) => new ConsumerGroup({ brokers, groupId: 'g', topics: ['t'], logger, ...fast }).start()],
      ['StandaloneConsumer', (logger) => new StandaloneConsumer({ brokers, partitions: [{ topic: 't', partition: 0 }], logger, ...fast }).start()],
    ];
    for (const [name, run] of clients) {
      const logger = capture();
      await assert.rejects(run(logger), KafkaStageError, name);
      const warnings = logger.entries.filter((e) => e.level === 'warn');
      assert.equal(warnings.length, 1, `${name}: ${inspect(logger.entries)}`);
      assert.equal(warnings[0]?.message, 'cannot connect to broker');
      assert.equal(warnings[0]?.fields?.broker, brokers[0]);
    }
  });

  it('console works as given, methods called detached', () => {
    const seen: unknown[][] = [];
    // A console-like object whose methods need `this`, as Console's do.
    const fakeConsole = {
      out: seen,
      debug(...args: unknown[]) { this.out.push(['debug', ...args]); },
      info(...args: unknown[]) { this.out.push(['info', ...args]); },
      warn(...args: unknown[]) { this.out.push(['warn', ...args]); },
      error(...args: unknown[]) { this.out.push(['error', ...args]); },
    };
    const { warn } = resolveLogger(fakeConsole);
    warn('broker unreachable', { broker: 'h:1' });
    assert.deepEqual(seen, [['warn', 'broker unreachable', { broker: 'h:1' }]]);
  });

  it('a pino logger is called pino\'s way, (fields, message), with the error under err', () => {
    const calls: unknown[][] = [];
    // The shape of a pino logger: levels.values, bindings(), child(); methods take (object, message).
    const pinoLike = {
      levels: { values: { debug: 20, info: 30, warn: 40, error: 50 }, labels: {} },
      bindings: () => ({}),
      child: () => pinoLike,
      debug: (obj: object, msg: string) => void calls.push(['debug', obj, msg]),
      info: (obj: object, msg: string) => void calls.push(['info', obj, msg]),
      warn: (obj: object, msg: string) => void calls.push(['warn', obj, msg]),
      error: (obj: object, msg: string) => void calls.push(['error', obj, msg]),
    };
    const err = new Error('boom');
    const logger = resolveLogger(pinoLike as unknown as Logger);
    logger.warn('cannot connect to broker', { broker: 'h:1', err });
    logger.info('restored');
    assert.deepEqual(calls, [
      ['warn', { broker: 'h:1', err }, 'cannot connect to broker'],
      ['info', {}, 'restored'],
    ]);
  });

  it('loggerFromPino adapts any (fields, message) logger, bunyan as well', () => {
    const calls: unknown[][] = [];
    const bunyanLike = {
      debug: (obj: object, msg: string) => void calls.push(['debug', obj, msg]),
      info: (obj: object, msg: string) => void calls.push(['info', obj, msg]),
      warn: (obj: object, msg: string) => void calls.push(['warn', obj, msg]),
      error: (obj: object, msg: string) => void calls.push(['error', obj, msg]),
    };
    const logger = loggerFromPino(bunyanLike);
    logger.error('commit failed', { code: 'ILLEGAL_GENERATION' });
    assert.deepEqual(calls, [['error', { code: 'ILLEGAL_GENERATION' }, 'commit failed']]);
  });

  it('the KafkaJS logCreator adapter of the Logger TSDoc works', () => {
    // KafkaJS: logCreator(logLevel) returns ({ namespace, level, label, log }) => void.
    const seen: { namespace: string; level: number; label: string; log: Record<string, unknown> }[] = [];
    const myLogCreator = (_level: number) => (entry: (typeof seen)[number]) => void seen.push(entry);
    const write = myLogCreator(4);
    const at = (level: number, label: string) => (message: string, fields?: LogFields) => {
      if (level <= 4) write({ namespace: 'kafka-stage', level, label, log: { timestamp: new Date().toISOString(), message, ...fields } });
    };
    const logger: Logger = { error: at(1, 'ERROR'), warn: at(2, 'WARN'), info: at(4, 'INFO'), debug: at(5, 'DEBUG') };
    const resolved = resolveLogger(logger);
    resolved.warn('cannot connect to broker', { broker: 'h:1' });
    resolved.debug('not shown at INFO');
    assert.equal(seen.length, 1);
    assert.deepEqual({ ...seen[0], log: { ...seen[0]?.log, timestamp: 'T' } }, {
      namespace: 'kafka-stage',
      level: 2,
      label: 'WARN',
      log: { timestamp: 'T', message: 'cannot connect to broker', broker: 'h:1' },
    });
  });

  it('a logger that throws does not break the code that logged', () => {
    const logger = resolveLogger({ debug() {}, info() {}, warn() { throw new Error('disk full'); }, error() {} });
    assert.doesNotThrow(() => logger.warn('x'));
    assert.doesNotThrow(() => logger.warn('y'));
  });

  it('partitionsField groups partitions by topic, sorted, once each', () => {
    assert.equal(partitionsField([{ topic: 'b', partition: 2 }, { topic: 'a', partition: 1 }, { topic: 'b', partition: 0 }, { topic: 'b', partition: 2 }]), 'b:0,2 a:1');
    assert.equal(partitionsField([]), '');
  });
});

describe('an error event nobody listens to', () => {
  it('goes to the client logger at error level', () => {
    const emitter = new ConsumerEmitter();
    const logger = capture();
    emitter.logUnheardErrorsTo(logger);
    const err = new KafkaStageError('ERR_SUBSCRIBER', 'handler threw');
    emitter.publish('error', err);
    assert.deepEqual(logger.entries, [{ level: 'error', message: "consumer error (no 'error' listener)", fields: { err } }]);
    // With a listener the listener has it, and the logger does not.
    const heard: Error[] = [];
    emitter.on('error', (e) => heard.push(e));
    emitter.publish('error', err);
    assert.deepEqual(heard, [err]);
    assert.equal(logger.entries.length, 1);
  });

  it('is printed on stderr, with its stack, by the default logger', () => {
    const script = [
      "import { ConsumerEmitter } from './src/consumer/consumer-emitter.ts';",
      "import { KafkaStageError } from './src/errors.ts';",
      "function handler() { throw new TypeError('cannot read x of undefined'); }",
      "let cause; try { handler(); } catch (e) { cause = e; }",
      "new ConsumerEmitter().publish('error', new KafkaStageError('ERR_SUBSCRIBER', 'subscriber of t/0 failed', { cause }));",
      "console.log('still running');",
    ].join('\n');
    const env = { ...process.env };
    delete env.NODE_DEBUG;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'still running\n');
    assert.match(r.stderr, /^kafka-stage ERROR consumer error \(no 'error' listener\) err="KafkaStageError ERR_SUBSCRIBER: subscriber of t\/0 failed"\n/m);
    assert.match(r.stderr, /caused by TypeError: cannot read x of undefined\n {4}at handler /);
  });
});

describe('no secrets in log lines', () => {
  const PASSWORD = 'Pa55-w0rd-Never-Logged';
  const PASSPHRASE = 'Tls-Pa55phrase-Never-Logged';

  /** Everything a logger was given, as text: messages, fields, errors with their causes and context. */
  function everything(entries: Entry[]): string {
    return entries.map((e) => `${e.message} ${inspect(e.fields, { depth: Infinity, showHidden: true })} ${formatFields(e.fields)}`).join('\n');
  }

  it('a refused SASL password appears in no line, at any level', async () => {
    const broker = await FakeBroker.start();
    installSaslServer(broker, { users: { alice: 'the-right-one' } });
    broker.handle(Metadata, () => ({ body: { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }], clusterId: 'fake', controllerId: 1, topics: [] } }));
    try {
      for (const mechanism of ['PLAIN', 'SCRAM-SHA-256'] as const) {
        const logger = capture();
        const producer = new Producer({ brokers: [broker.address], sasl: { mechanism, username: 'alice', password: PASSWORD }, logger, ...fast });
        await assert.rejects(producer.connect(), KafkaStageError);
        await producer.close();
        assert.ok(logger.entries.some((e) => e.level === 'warn' && e.message === 'cannot connect to broker'), inspect(logger.entries));
        assert.ok(!everything(logger.entries).includes(PASSWORD), `${mechanism}: the password was logged`);
      }
    } finally {
      await broker.stop();
    }
  });

  it('a TLS key passphrase appears in no line, at any level', { skip: !hasOpenssl() && 'openssl is not installed' }, async () => {
    const pki = new TestPki();
    const broker = await FakeBroker.start(); // plain TCP: the TLS handshake fails
    try {
      const client = pki.issue('client', ['client'], 'clientAuth');
      const key = pki.encryptKey('client', client, PASSPHRASE);
      const logger = capture();
      const admin = new Admin({ brokers: [broker.address], tls: { ca: pki.ca.cert, cert: client.cert, key, passphrase: PASSPHRASE }, logger, ...fast });
      await assert.rejects(admin.connect(), KafkaStageError);
      await admin.close();
      assert.ok(logger.entries.some((e) => e.level === 'warn'), inspect(logger.entries));
      assert.ok(!everything(logger.entries).includes(PASSPHRASE), 'the passphrase was logged');
    } finally {
      await broker.stop();
      pki.remove();
    }
  });
});
