// The clients the harness measures, how to start each one's runner, and which scenarios it can run.
// `node20` / `node24` are Node.js binaries; a client whose runner or dependencies are missing is
// reported as skipped with the reason, never silently dropped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('../..', import.meta.url).pathname;
const ALL = ['drain', 'latency', 'slow', 'stalled'];
/** The producer scenarios (PROTOCOL.md, "Producer scenarios"): their own runners, below the consumers. */
const PRODUCE = ['produce', 'produce-latency'];
/** Where compileJavaRunner puts BenchConsumer's and BenchProducer's classes. */
const JAVA_CLASSES = `${root}/.bench-results/java-classes`;

/** Compiles bench/java/BenchConsumer.java and BenchProducer.java against the Kafka jars (javac from the JDK). Throws on failure. */
export function compileJavaRunner() {
  const script = `source scripts/kafka/env.sh && bash "$KAFKA_SCRIPTS/install.sh" && javac -nowarn -d "${JAVA_CLASSES}" -cp "$KAFKA_LIBS/*" bench/java/BenchConsumer.java bench/java/BenchProducer.java`;
  execFileSync('bash', ['-c', script], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Every client, in the order tables list them. */
export function clientCatalogue({ node20, node24 }) {
  const runner = (file) => `${root}/bench/clients/${file}`;
  return [
    { id: 'kafka-stage', label: 'kafka-stage (group)', command: node20, args: [runner('kafka-stage.mjs'), '--mode', 'group'], scenarios: ALL, needs: [`${root}/dist/index.js`] },
    // A second build (BENCH_BASE_ROOT: a worktree at the base commit, built) measured beside this one
    // in the same run, alternating rounds: before/after figures of a change.
    ...(process.env.BENCH_BASE_ROOT
      ? [{ id: 'kafka-stage-base', label: 'kafka-stage (group, base build)', command: node20, args: [`${process.env.BENCH_BASE_ROOT}/bench/clients/kafka-stage.mjs`, '--mode', 'group'], scenarios: ALL, needs: [`${process.env.BENCH_BASE_ROOT}/dist/index.js`] }]
      : []),
    // The same runner in a Node started with a larger initial heap: at 1 KiB the drain is bound by
    // the mark-compacts that the fetched frames (off-heap Buffers) trigger while V8's old-generation
    // limit is still small (BENCHMARKS.md, "The 1 KiB drain and V8's initial heap"). A user's lever.
    { id: 'kafka-stage-heap', label: 'kafka-stage (group, --initial-heap-size=256)', command: node20, args: ['--initial-heap-size=256', runner('kafka-stage.mjs'), '--mode', 'group'], scenarios: ['drain'], needs: [`${root}/dist/index.js`] },
    { id: 'kafka-stage-standalone', label: 'kafka-stage (standalone)', command: node20, args: [runner('kafka-stage.mjs'), '--mode', 'standalone'], scenarios: ALL, needs: [`${root}/dist/index.js`] },
    { id: 'kafka-stage-node24', label: 'kafka-stage (group, Node 24)', command: node24, args: [runner('kafka-stage.mjs'), '--mode', 'group'], scenarios: ['drain', 'latency'], needs: [`${root}/dist/index.js`] },
    { id: 'kafkajs', label: 'KafkaJS 2.2.4', command: node20, args: [runner('kafkajs.mjs')], scenarios: ALL, needs: [runner('kafkajs.mjs'), `${root}/bench/peers/node_modules/kafkajs`] },
    { id: 'kafkajs-tuned', label: 'KafkaJS 2.2.4 (tuned)', command: node20, args: [runner('kafkajs.mjs'), '--tuned'], scenarios: ALL, needs: [runner('kafkajs.mjs'), `${root}/bench/peers/node_modules/kafkajs`] },
    { id: 'platformatic', label: '@platformatic/kafka 1.34 (Node 20)', command: node20, args: [runner('platformatic.mjs')], scenarios: ALL, needs: [runner('platformatic.mjs'), `${root}/bench/peers/node_modules/@platformatic/kafka`] },
    { id: 'platformatic-latest', label: '@platformatic/kafka 2.12 (Node 24)', command: node24, args: [runner('platformatic.mjs'), '--package', 'platformatic-kafka-latest'], scenarios: ALL, needs: [runner('platformatic.mjs'), `${root}/bench/peers/node_modules/platformatic-kafka-latest`] },
    { id: 'rdkafka', label: 'librdkafka Node binding', command: node20, args: [runner('rdkafka.mjs')], scenarios: ALL, needs: [runner('rdkafka.mjs'), `${root}/bench/peers-rdkafka/node_modules`] },
    { id: 'kcat', label: 'kcat (librdkafka CLI)', command: node20, args: [runner('kcat.mjs')], scenarios: ['drain', 'latency', 'stalled'], needs: [runner('kcat.mjs'), '/usr/bin/kcat'] },
    // Compiled beforehand (compileJavaRunner): in source mode javac would run inside the measured JVM.
    { id: 'java', label: 'Java KafkaConsumer', command: 'bash', args: [`${root}/scripts/kafka/java-tool.sh`, 'BenchConsumer'], env: { KAFKA_TOOL_CLASSPATH: JAVA_CLASSES }, scenarios: ALL, needs: [`${JAVA_CLASSES}/BenchConsumer.class`] },
    { id: 'java-perf', label: 'Java ConsumerPerformance', command: node20, args: [runner('java-perf.mjs')], scenarios: ['drain'], needs: [runner('java-perf.mjs')] },
    // Producers (Node 20): one runner each, the sending loops shared (produce-kit.mjs).
    { id: 'kafka-stage-producer', label: 'kafka-stage Producer', command: node20, args: [runner('kafka-stage-producer.mjs')], scenarios: PRODUCE, needs: [`${root}/dist/index.js`] },
    { id: 'kafkajs-producer', label: 'KafkaJS 2.2.4 producer', command: node20, args: [runner('kafkajs-producer.mjs')], scenarios: PRODUCE, needs: [`${root}/bench/peers/node_modules/kafkajs`] },
    { id: 'platformatic-producer', label: '@platformatic/kafka 1.34 Producer', command: node20, args: [runner('platformatic-producer.mjs')], scenarios: PRODUCE, needs: [`${root}/bench/peers/node_modules/@platformatic/kafka`] },
    { id: 'rdkafka-producer', label: 'librdkafka binding Producer', command: node20, args: [runner('rdkafka-producer.mjs')], scenarios: PRODUCE, needs: [`${root}/bench/peers-rdkafka/node_modules`] },
    { id: 'java-producer', label: 'Java KafkaProducer', command: 'bash', args: [`${root}/scripts/kafka/java-tool.sh`, 'BenchProducer'], env: { KAFKA_TOOL_CLASSPATH: JAVA_CLASSES }, scenarios: PRODUCE, needs: [`${JAVA_CLASSES}/BenchProducer.class`] },
  ];
}

/** Splits the catalogue into runnable clients and skipped ones (with the missing path). */
export function availableClients(catalogue, wanted) {
  const runnable = [];
  const skipped = [];
  for (const client of catalogue) {
    if (wanted && !wanted.includes(client.id)) continue;
    const missing = client.needs.find((path) => !existsSync(path)) ?? (client.command ? null : 'its Node.js binary');
    if (missing) skipped.push({ id: client.id, label: client.label, reason: `missing ${missing}` });
    else runnable.push(client);
  }
  return { runnable, skipped };
}
