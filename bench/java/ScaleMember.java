// One Java member of a consumer group for bench/scale-group.mjs (issue 14, item 4), the counterpart of
// bench/clients/scale-member.mjs: a KafkaConsumer<byte[], byte[]> subscribed to --topic (repeatable)
// with the client's defaults except the group id, earliest reset (--reset latest: an idle member) and, with --assignor cooperative,
// partition.assignment.strategy CooperativeStickyAssignor (the library's default assignor; Java's own
// default lists range first, an eager protocol). It touches every value and commits as the client does
// by default (auto-commit every 5 s). It writes the same JSON lines on stdout, each with `t` (wall
// clock, ms since the epoch):
//   {"ev":"start","rssKb"}   JVM up, before the consumer is built (rssKb from /proc/self/status VmHWM)
//   {"ev":"owned","n"}       partitions owned after each assigned / revoked / lost callback
//   {"ev":"first"}           the first record handled
//   {"ev":"stat","records","peakRssKb"} about once a second, from the poll loop
// On SIGTERM it leaves cleanly (wakeup, close: commit and leave the group), then writes
// {"ev":"left", "fetches", "sentPerFetch", "receivedPerFetch"} from the client's own metrics
// (consumer-fetch-manager-metrics fetch-total; consumer-metrics outgoing/incoming-byte-total over all
// requests, Fetch dominating a drain) and exits.
//
//   bash scripts/kafka/java-tool.sh bench/java/ScaleMember.java --topic T --group G [--assignor cooperative]
// (bench/scale-group.mjs compiles it with javac first and runs the class: KAFKA_TOOL_CLASSPATH.)
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class ScaleMember {
    private static volatile boolean stopping;

    public static void main(String[] argv) throws Exception {
        String brokers = "127.0.0.1:19092";
        String group = null;
        String assignor = "default";
        String reset = "earliest";
        List<String> topics = new ArrayList<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--brokers" -> brokers = argv[i + 1];
                case "--topic" -> topics.add(argv[i + 1]);
                case "--group" -> group = argv[i + 1];
                case "--assignor" -> assignor = argv[i + 1];
                case "--reset" -> reset = argv[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + argv[i]);
            }
        }
        emit("start", "\"rssKb\":" + peakRssKb());
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        if (assignor.equals("cooperative")) props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        CountDownLatch closed = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            consumer.wakeup();
            try {
                closed.await();
            } catch (InterruptedException e) {
                main.interrupt();
            }
        }));
        int[] owned = {0};
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                owned[0] -= partitions.size();
                emit("owned", "\"n\":" + owned[0]);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                owned[0] += partitions.size();
                emit("owned", "\"n\":" + owned[0]);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                onPartitionsRevoked(partitions);
            }
        });
        long records = 0;
        int checksum = 0;
        long nextStat = System.currentTimeMillis() + 1000;
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    byte[] value = record.value();
                    if (records++ == 0) emit("first", null);
                    checksum = checksum + (value[0] & 0xff) + (value[value.length - 1] & 0xff) + value.length;
                }
                if (System.currentTimeMillis() >= nextStat) {
                    nextStat += 1000;
                    emit("stat", "\"records\":" + records + ",\"peakRssKb\":" + peakRssKb() + ",\"checksum\":" + checksum);
                }
            }
        } catch (WakeupException e) {
            // SIGTERM: leave below
        }
        Map<MetricName, ? extends Metric> metrics = consumer.metrics();
        double fetches = metric(metrics, "consumer-fetch-manager-metrics", "fetch-total");
        double sent = metric(metrics, "consumer-metrics", "outgoing-byte-total");
        double received = metric(metrics, "consumer-metrics", "incoming-byte-total");
        consumer.close();
        emit("left", String.format("\"fetches\":%.0f,\"sentPerFetch\":%.0f,\"receivedPerFetch\":%.0f", fetches, sent / Math.max(1, fetches), received / Math.max(1, fetches)));
        closed.countDown();
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name) && e.getKey().tags().size() <= 1) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number n) return n.doubleValue();
            }
        }
        return Double.NaN;
    }

    private static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }

    private static synchronized void emit(String ev, String fields) {
        System.out.println("{\"ev\":\"" + ev + "\",\"t\":" + System.currentTimeMillis() + (fields == null ? "" : "," + fields) + "}");
        System.out.flush();
    }
}
