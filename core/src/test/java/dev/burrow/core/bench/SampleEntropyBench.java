package dev.burrow.core.bench;

import dev.burrow.core.split.SampleEntropy;
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
 * The save's entropy sample ({@link SampleEntropy}) on every 8 KiB chunk of 16 MiB, in MiB of chunks per second on one
 * core: the Java loop and the library's. {@link #sampleOnC1} runs it as a save does, with C1 alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SampleEntropyBench {
    static final int SIZE_MIB = 16;
    static final int CHUNK = 8192;

    @Param({"java", "native"})
    public String impl;

    @Param({"random", "text"})
    public String data;

    private byte[] buf;
    private SampleEntropy sample;

    @Setup
    public void setUp() {
        buf = BenchData.of(data, SIZE_MIB * BenchData.MIB);
        sample = impl.equals("java") ? SampleEntropy.java() : new SampleEntropy();
        if (impl.equals("native") && !sample.isNative()) {
            throw new IllegalStateException("no native chunker library here");
        }
    }

    /** Returns a sum of the estimates so that nothing is optimised away. */
    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public double sample() {
        double sum = 0;
        for (int p = 0; p + CHUNK <= buf.length; p += CHUNK) {
            sum += sample.bits(buf, p, CHUNK);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1"})
    public double sampleOnC1() {
        return sample();
    }
}
