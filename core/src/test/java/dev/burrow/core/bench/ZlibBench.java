package dev.burrow.core.bench;

import dev.burrow.core.zlib.Compressor;
import dev.burrow.core.zlib.Decompressor;
import dev.burrow.core.zlib.Zlib;
import dev.burrow.core.zlib.ZlibException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
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
 * zlib on one core, in MiB/s of uncompressed data, with the JDK's zlib, libdeflate or (level 1 only) ISA-L
 * ({@code impl}; ISA-L's inflate is libdeflate's, what Burrow uses): each 8 KiB chunk
 * compressed on its own with one reused compressor, as pack objects are; and inflating such objects with one reused
 * decompressor. The inflated streams are always the JDK's at the same level (what bup and earlier Burrow wrote), so
 * both decompressors read the same bytes. Level 0 is the JDK's stored blocks for both, as in Burrow. {@link
 * #inflateBuffers} reads from and into direct buffers, as {@code PackStream} does on restore.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ZlibBench {
    static final int SIZE_MIB = 8;
    static final int CHUNK = 8192;

    @Param({"jdk", "libdeflate", "isal"})
    public String impl;

    @Param({"0", "1", "6"})
    public int level;

    @Param({"random", "text"})
    public String data;

    private byte[] buf;
    private Compressor compressor;
    private Decompressor decompressor;
    private final byte[] out = new byte[2 * CHUNK + 64];
    /** The deflated chunks, back to back, and where each ends, for the inflate benchmark. */
    private byte[] packed;
    private int[] packedEnds;
    private ByteBuffer packedDirect;
    private final ByteBuffer outDirect = ByteBuffer.allocateDirect(CHUNK);

    @Setup(Level.Trial)
    public void setUp() {
        // ISA-L has level 1 only: at other levels its runs measure the zlib Burrow would use instead (libdeflate).
        compressor = switch (impl) {
            case "jdk" -> Zlib.jdkCompressor(level);
            case "libdeflate" -> level == 0 ? Zlib.jdkCompressor(0) : Zlib.libdeflateCompressor(level);
            case "isal" -> level == 1 ? Zlib.isalCompressor() : Zlib.compressor(level);
            default -> throw new IllegalArgumentException("unknown zlib: " + impl);
        };
        if (!impl.equals("jdk") && !Zlib.usesLibdeflate()) {
            throw new IllegalStateException("libdeflate is not in use: " + Zlib.description());
        }
        buf = BenchData.of(data, SIZE_MIB * BenchData.MIB);
        decompressor = impl.equals("jdk") ? Zlib.jdkDecompressor() : Zlib.decompressor();
        packed = new byte[buf.length * 2];
        packedEnds = new int[buf.length / CHUNK];
        int n = 0;
        try (Compressor jdk = Zlib.jdkCompressor(level)) {
            for (int i = 0; i < packedEnds.length; i++) {
                n += jdk.compress(buf, i * CHUNK, CHUNK, packed, n, packed.length - n);
                packedEnds[i] = n;
            }
        }
        packedDirect = ByteBuffer.allocateDirect(n).put(0, packed, 0, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compressor.close();
        decompressor.close();
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long deflate() {
        long total = 0;
        for (int p = 0; p < buf.length; p += CHUNK) {
            total += compressor.compress(buf, p, CHUNK, out, 0, out.length);
        }
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long inflate() throws ZlibException {
        long total = 0;
        int from = 0;
        for (int end : packedEnds) {
            total += decompressor.decompress(packed, from, end - from, out, 0, CHUNK);
            from = end;
        }
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long inflateBuffers() throws ZlibException {
        ByteBuffer in = packedDirect.clear();
        for (int end : packedEnds) {
            in.limit(end);
            decompressor.decompress(in, outDirect.clear(), CHUNK);
        }
        return in.position();
    }
}
