package dev.burrow.core.bench;

import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * zlib on one core, in MiB/s of uncompressed data: each 8 KiB chunk compressed on its own with one reused
 * {@link Deflater}, as pack objects are; and inflating those objects again with one reused {@link Inflater}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ZlibBench {
    static final int SIZE_MIB = 8;
    static final int CHUNK = 8192;

    @Param({"0", "1", "6"})
    public int level;

    @Param({"random", "text"})
    public String data;

    private byte[] buf;
    private Deflater deflater;
    private Inflater inflater;
    private final byte[] out = new byte[2 * CHUNK + 64];
    /** The deflated chunks, back to back, and where each ends, for the inflate benchmark. */
    private byte[] packed;
    private int[] packedEnds;

    @Setup(Level.Trial)
    public void setUp() {
        buf = BenchData.of(data, SIZE_MIB * BenchData.MIB);
        deflater = new Deflater(level);
        inflater = new Inflater();
        packed = new byte[buf.length * 2];
        packedEnds = new int[buf.length / CHUNK];
        int n = 0;
        for (int i = 0; i < packedEnds.length; i++) {
            deflater.reset();
            deflater.setInput(buf, i * CHUNK, CHUNK);
            deflater.finish();
            while (!deflater.finished()) {
                n += deflater.deflate(packed, n, packed.length - n);
            }
            packedEnds[i] = n;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        deflater.end();
        inflater.end();
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long deflate() {
        long total = 0;
        for (int p = 0; p < buf.length; p += CHUNK) {
            deflater.reset();
            deflater.setInput(buf, p, CHUNK);
            deflater.finish();
            while (!deflater.finished()) {
                total += deflater.deflate(out);
            }
        }
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long inflate() throws DataFormatException {
        long total = 0;
        int from = 0;
        for (int end : packedEnds) {
            inflater.reset();
            inflater.setInput(packed, from, end - from);
            while (!inflater.finished()) {
                total += inflater.inflate(out);
            }
            from = end;
        }
        return total;
    }
}
