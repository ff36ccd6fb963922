// Java reference runner for the bench harness (bench/clients/PROTOCOL.md): one KafkaConsumer<byte[], byte[]>
// in consumer-group mode (subscribe) with the client's defaults, except the group id and earliest reset.
//
//   bash scripts/kafka/java-tool.sh bench/java/BenchConsumer.java --topic T --scenario drain [--count N] ...
//
// Source mode compiles this file on every start, inside the same JVM: the clock for startToFirstMs
// starts at the consumer's construction, after compilation, but the compiler's work stays in the
// process's figures. Measured on a 200k × 100 B drain: VmHWM 223 MB vs. 170 MB and CPU 7.6 s vs. 4.5 s
// for the same class compiled beforehand (javac -d DIR -cp "$KAFKA_LIBS/*" this file, then java -cp
// "$KAFKA_LIBS/*:DIR" BenchConsumer ...). Compile first when memory or CPU is compared.
// The JVM flags are java-tool.sh's default, -Xmx512m (KAFKA_TOOL_JVM_OPTS replaces them): the heap
// peaks far below it and a cap well under the machine's default keeps the resident size realistic.
//
// Threads: the main thread polls and runs the handler; a timer thread enforces --max-ms. The tally is
// only written by the main thread, so RESULT is printed by the main thread, except in `stalled`, where
// the main thread parks for good and the timer prints it (the tally no longer changes by then).
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class BenchConsumer {
    private String brokers = "127.0.0.1:19092";
    private String topic;
    private String group = "bench-java-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    private String scenario = "drain";
    private long count = Long.MAX_VALUE;
    private long maxMs = 60_000;

    private KafkaConsumer<byte[], byte[]> consumer;
    private long records;
    private long bytes;
    private int checksum;
    private long startNs;
    private long firstNs = -1;
    private long lastNs = -1;
    private long[] latencies = new long[0]; // latency scenario only

    private final Object lock = new Object();
    private boolean readySent;
    private boolean deadlineArmed;
    private volatile boolean deadlinePassed;
    private boolean parked;
    private volatile boolean done;

    public static void main(String[] argv) throws Exception {
        // SIGTERM from the harness: leave at once with status 0 (no clean consumer shutdown needed).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));
        BenchConsumer runner = new BenchConsumer();
        runner.parseArgs(argv);
        runner.run();
    }

    private void parseArgs(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            String value;
            int eq = flag.indexOf('=');
            if (eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else {
                if (i + 1 >= argv.length) fail("missing value for " + flag);
                value = argv[++i];
            }
            switch (flag) {
                case "--brokers" -> brokers = value;
                case "--topic" -> topic = value;
                case "--group" -> group = value;
                case "--scenario" -> scenario = value;
                case "--count" -> count = parseLong(flag, value);
                case "--max-ms" -> maxMs = parseLong(flag, value);
                case "--value-size" -> parseLong(flag, value); // accepted for the common command line; unused
                default -> fail("unknown argument " + flag);
            }
        }
        if (topic == null) fail("--topic is required");
        if (!List.of("drain", "latency", "slow", "stalled").contains(scenario)) fail("unknown --scenario " + scenario);
        if (scenario.equals("latency")) latencies = new long[1 << 16];
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
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

        startNs = System.nanoTime();
        consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (readySent) return;
                // The topic is fixed before the run, so an empty first assignment means it does not exist.
                if (partitions.isEmpty()) fail("no partitions assigned for topic " + topic + " (unknown topic?)");
                // Resolve the starting positions now (the protocol's "positions known where the client allows it").
                for (TopicPartition tp : partitions) consumer.position(tp);
                readySent = true;
                System.out.println("READY");
                System.out.flush();
                if (!scenario.equals("drain")) armDeadline();
            }
        });

        while (!done) {
            Iterable<ConsumerRecord<byte[], byte[]>> batch;
            try {
                batch = consumer.poll(Duration.ofMillis(100));
            } catch (WakeupException e) {
                batch = List.of();
            }
            for (ConsumerRecord<byte[], byte[]> record : batch) {
                if (handle(record.value())) break;
            }
            if (deadlinePassed) finish();
        }
        // Idle until SIGTERM; no more polls, so no more fetches (the heartbeat thread keeps the membership).
        while (true) Thread.sleep(Long.MAX_VALUE);
    }

    /** The handler: returns true once the run is over. */
    private boolean handle(byte[] value) throws InterruptedException {
        switch (scenario) {
            case "slow" -> Thread.sleep(1);
            case "stalled" -> parkForever();
            default -> {}
        }
        long now = System.nanoTime();
        if (firstNs < 0) {
            firstNs = now;
            if (scenario.equals("drain")) armDeadline();
        }
        if (latencies.length > 0) {
            Instant t = Instant.now();
            addLatency(t.getEpochSecond() * 1_000_000L + t.getNano() / 1000 - stampUs(value));
        }
        checksum = checksum + (value[0] & 0xff) + (value[value.length - 1] & 0xff) + value.length;
        bytes += value.length;
        records++;
        lastNs = now;
        if (records >= count || deadlinePassed) {
            finish();
            return true;
        }
        return false;
    }

    /** The stalled handler never returns; the timer thread reports instead (see armDeadline). */
    private void parkForever() throws InterruptedException {
        synchronized (lock) {
            parked = true;
            if (deadlinePassed) finish();
        }
        while (true) Thread.sleep(Long.MAX_VALUE);
    }

    private void armDeadline() {
        if (deadlineArmed) return;
        deadlineArmed = true;
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(maxMs);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                deadlinePassed = true;
                if (parked) finish();
            }
            if (!done) consumer.wakeup(); // cut a poll that is waiting for data short
        }, "bench-deadline");
        timer.setDaemon(true);
        timer.start();
    }

    private static long stampUs(byte[] value) {
        long us = 0;
        for (int i = 0; i < 16; i++) us = us * 10 + (value[i] - '0');
        return us;
    }

    private void addLatency(long us) {
        if ((int) records == latencies.length) latencies = Arrays.copyOf(latencies, latencies.length * 2);
        latencies[(int) records] = us;
    }

    /** Prints RESULT once. */
    private void finish() {
        synchronized (lock) {
            if (done) return;
            done = true;
        }
        StringBuilder out = new StringBuilder(64 + (latencies.length > 0 ? (int) records * 8 : 0));
        out.append("RESULT {\"records\":").append(records)
            .append(",\"bytes\":").append(bytes)
            .append(",\"checksum\":").append(checksum)
            .append(",\"startToFirstMs\":").append(firstNs < 0 ? "null" : ms(firstNs - startNs))
            .append(",\"firstToLastMs\":").append(firstNs < 0 ? "null" : ms(lastNs - firstNs));
        if (latencies.length > 0) {
            out.append(",\"latenciesUs\":[");
            for (int i = 0; i < records; i++) {
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
