package dev.burrow.core.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

/** SHA-1 of chunk-sized objects (as git hashes blobs) on one core, in MiB/s. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Sha1Bench {
    static final int SIZE_MIB = 16;

    /** Bytes per object: bup's average chunk is 8 KiB. */
    @Param({"8192"})
    public int chunk;

    private byte[] buf;
    private MessageDigest md;
    private final byte[] out = new byte[20];

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        buf = BenchData.random(SIZE_MIB * BenchData.MIB);
        md = MessageDigest.getInstance("SHA-1");
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public byte[] sha1() throws Exception {
        for (int p = 0; p < buf.length; p += chunk) {
            md.update(buf, p, Math.min(chunk, buf.length - p));
            md.digest(out, 0, out.length);
        }
        return out;
    }
}
