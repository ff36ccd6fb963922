// Java reference runner for the producer scenarios of the bench harness (bench/clients/PROTOCOL.md,
// "Producer scenarios"): one KafkaProducer<byte[], byte[]> with the client's defaults (Kafka 4.x:
// acks=all, enable.idempotence=true, linger.ms=5, batch.size=16384, 5 requests in flight), a
// callback per record. Compiled beforehand by the harness (bench/harness/clients.mjs), run through
// scripts/kafka/java-tool.sh with its default JVM flags (-Xmx512m):
//
//   bash scripts/kafka/java-tool.sh BenchProducer --topic T --scenario produce|produce-latency [--count N] [--rate R]
//
// produce: --count records, each send() as soon as the previous returns; send() blocks when
// buffer.memory (32 MiB) is full, Java's own back-pressure, so no window of our own. Records/s from
// the first send to the last acknowledgement.
// produce-latency: --rate records/s, each timed from send() to its callback (µs), except those sent
// in the first --warmup-ms (1 s: sent and counted, not timed). The main thread sends what is due,
// then parks for about 1 ms, as the Node runners do.
// Callbacks run on the producer's I/O thread; the tallies they write are read by the main thread
// only after the latch says every record is settled.
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class BenchProducer {
    private String brokers = "127.0.0.1:19092";
    private String topic;
    private String scenario = "produce";
    private int count = 1_000_000;
    private long rate = 10_000;
    private long maxMs = 120_000;
    private int valueSize = 100;
    private long warmupMs = 1_000;

    // Written by the I/O thread's callbacks; read by the main thread after the latch.
    private long acked;
    private long errors;
    private String firstError;
    private long lastAckNs = -1;
    private long[] latencies = new long[0];
    private int latencyCount;

    public static void main(String[] argv) throws Exception {
        // SIGTERM from the harness: leave at once with status 0 (no clean producer shutdown needed).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));
        BenchProducer runner = new BenchProducer();
        runner.parseArgs(argv);
        runner.run();
    }

    private void parseArgs(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (i + 1 >= argv.length) fail("missing value for " + flag);
            String value = argv[++i];
            switch (flag) {
                case "--brokers" -> brokers = value;
                case "--topic" -> topic = value;
                case "--scenario" -> scenario = value;
                case "--count" -> count = (int) parseLong(flag, value);
                case "--rate" -> rate = parseLong(flag, value);
                case "--max-ms" -> maxMs = parseLong(flag, value);
                case "--value-size" -> valueSize = (int) parseLong(flag, value);
                case "--warmup-ms" -> warmupMs = parseLong(flag, value);
                // Node-only knobs (PROTOCOL.md): accepted for the common command line, unused.
                case "--window", "--group-records" -> parseLong(flag, value);
                default -> fail("unknown argument " + flag);
            }
        }
        if (topic == null) fail("--topic is required");
        if (!List.of("produce", "produce-latency").contains(scenario)) fail("unknown --scenario " + scenario);
        if (scenario.equals("produce-latency")) latencies = new long[count];
    }

    private static long parseLong(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            fail("bad number for " + flag + ": " + value);
            return 0;
        }
    }

    private void run() throws InterruptedException {
        long startNs = System.nanoTime();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-java-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        // Metadata before the clock starts; an unknown topic fails here (auto-creation is the broker's).
        if (producer.partitionsFor(topic).isEmpty()) fail("no partitions for topic " + topic);
        System.out.println("READY");
        System.out.flush();

        byte[] value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++) value[i] = (byte) ('A' + (int) (Math.random() * 26));
        CountDownLatch settled = new CountDownLatch(count);
        long firstNs = System.nanoTime();
        if (scenario.equals("produce")) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, value), (metadata, error) -> {
                    settle(error, 0, false);
                    settled.countDown();
                });
            }
        } else {
            int sent = 0;
            while (sent < count) {
                long elapsedNs = System.nanoTime() - firstNs;
                long due = Math.min(count, elapsedNs / 1000 * rate / 1_000_000);
                boolean timed = elapsedNs >= warmupMs * 1_000_000;
                for (; sent < due; sent++) {
                    long sentNs = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, value), (metadata, error) -> {
                        settle(error, sentNs, timed);
                        settled.countDown();
                    });
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        boolean complete = settled.await(maxMs, TimeUnit.MILLISECONDS);
        synchronized (this) {
            report(startNs, firstNs, complete);
        }
        // Idle until SIGTERM.
        while (true) Thread.sleep(Long.MAX_VALUE);
    }

    /** A callback: counts the outcome and, in produce-latency, the send-to-ack time. */
    private synchronized void settle(Exception error, long sentNs, boolean timed) {
        long now = System.nanoTime();
        lastAckNs = now;
        if (error != null) {
            errors++;
            if (firstError == null) firstError = error.toString();
            return;
        }
        acked++;
        if (timed) latencies[latencyCount++] = (now - sentNs) / 1000;
    }

    private void report(long startNs, long firstNs, boolean complete) {
        StringBuilder out = new StringBuilder(128 + latencyCount * 6);
        out.append("RESULT {\"records\":").append(acked)
            .append(",\"bytes\":").append(acked * valueSize)
            .append(",\"errors\":").append(errors)
            .append(",\"startToFirstMs\":").append(ms(firstNs - startNs))
            .append(",\"firstToLastMs\":").append(lastAckNs < 0 ? "null" : ms(lastAckNs - firstNs));
        if (firstError != null) out.append(",\"firstError\":\"").append(firstError.replace("\\", "\\\\").replace("\"", "'")).append('"');
        if (!complete) out.append(",\"cut\":\"deadline after ").append(maxMs).append(" ms\"");
        if (scenario.equals("produce-latency")) {
            out.append(",\"latenciesUs\":[");
            for (int i = 0; i < latencyCount; i++) {
                if (i > 0) out.append(',');
                out.append(latencies[i]);
            }
            out.append(']');
        }
        out.append('}');
        System.out.println(out);
        System.out.flush();
    }

    private static String ms(long ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1e6);
    }

    private static void fail(String message) {
        System.err.println("runner: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }
}
