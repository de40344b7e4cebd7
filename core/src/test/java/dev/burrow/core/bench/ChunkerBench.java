package dev.burrow.core.bench;

import dev.burrow.core.spi.Chunker;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.split.JavaChunker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Chunker throughput on one core, in MiB/s: every boundary of a 16 MiB buffer, each scan starting at the previous
 * boundary as the splitter's do. {@code native} is whatever {@link Chunkers#best()} picks on this machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChunkerBench {
    static final int SIZE_MIB = 16;

    @Param({"java", "native"})
    public String chunker;

    @Param({"random", "text"})
    public String data;

    private Chunker c;
    private byte[] buf;

    @Setup
    public void setUp() {
        c = chunker.equals("java") ? JavaChunker.INSTANCE : Chunkers.best();
        if (chunker.equals("native") && c instanceof JavaChunker) {
            throw new IllegalStateException("no native chunker: " + Chunkers.description());
        }
        buf = BenchData.of(data, SIZE_MIB * BenchData.MIB);
    }

    /** Score: MiB/s. Returns the number of chunks so that nothing is optimised away. */
    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public int scan() {
        int start = 0;
        int chunks = 0;
        long r;
        while ((r = c.scan(buf, start, start, buf.length)) >= 0) {
            start = Chunker.end(r);
            chunks++;
        }
        return chunks;
    }
}
