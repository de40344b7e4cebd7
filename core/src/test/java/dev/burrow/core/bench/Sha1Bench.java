package dev.burrow.core.bench;

import dev.burrow.core.hash.Sha1Hasher;
import dev.burrow.core.hash.Sha1Hashers;
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
 * SHA-1 of chunk-sized objects (as git hashes blobs) on one core, in MiB/s: the JDK's {@code MessageDigest} or the
 * native one ({@code libburrowsha1.so}), with C2 ({@link #sha1}) and with C1 alone as a save runs
 * ({@link #sha1OnC1}; the JDK's uses the CPU's SHA instructions only in C2-compiled code).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Sha1Bench {
    static final int SIZE_MIB = 16;

    /** Bytes per object: bup's average chunk is 8 KiB. */
    @Param({"8192"})
    public int chunk;

    /** {@code jdk} or {@code native} (the latter fails where the library is not built). */
    @Param({"jdk", "native"})
    public String impl;

    private byte[] buf;
    private Sha1Hasher sha1;
    private final byte[] out = new byte[Sha1Hasher.LENGTH];

    @Setup
    public void setUp() {
        buf = BenchData.random(SIZE_MIB * BenchData.MIB);
        sha1 = impl.equals("jdk") ? Sha1Hashers.jdk() : Sha1Hashers.create();
        if (!impl.equals("jdk") && !Sha1Hashers.description().startsWith("native")) {
            throw new IllegalStateException("no native SHA-1 here: " + Sha1Hashers.description());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public byte[] sha1() {
        for (int p = 0; p < buf.length; p += chunk) {
            sha1.update(buf, p, Math.min(chunk, buf.length - p));
            sha1.digest(out, 0);
        }
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1"})
    public byte[] sha1OnC1() {
        return sha1();
    }
}
