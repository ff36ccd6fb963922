// Prints, for each key, the partition the Java producer's default partitioner picks and the raw
// murmur2 hash, so tests can check our partitioner against the real one.
// Input on stdin, one key per line: "<partition count> <key as hex>" (hex, so any bytes fit).
// Output, one line per key: "<partition> <murmur2 as signed int>".
// Run with: java-tool.sh scripts/kafka/PartitionForKey.java < keys
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class PartitionForKey {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        HexFormat hex = HexFormat.of();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            int space = line.indexOf(' ');
            int partitions = Integer.parseInt(line.substring(0, space));
            byte[] key = hex.parseHex(line.substring(space + 1));
            out.println(BuiltInPartitioner.partitionForKey(key, partitions) + " " + Utils.murmur2(key));
        }
        out.flush();
    }
}
