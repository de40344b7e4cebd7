package dev.burrow.core.bench;

import dev.burrow.core.spi.Chunker;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.split.JavaChunker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A cross-check for {@link ChunkerBench} on a busy machine: alternates the Java and the native chunker over the same
 * 16 MiB buffers and rates each pass by the thread's CPU time, not wall time, so that time the thread spends
 * preempted by other builds does not count. Prints the median and best MiB per CPU second of each.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp <test class path> dev.burrow.core.bench.ChunkerCpuTime
 * [ROUNDS]}, or through {@code bench/jmh.sh}'s class path.
 */
public final class ChunkerCpuTime {
    private ChunkerCpuTime() { }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Chunker nat = Chunkers.best();
        System.out.println("native chunker: " + Chunkers.description());
        for (String kind : new String[] {"random", "text"}) {
            byte[] buf = BenchData.of(kind, ChunkerBench.SIZE_MIB * BenchData.MIB);
            double[] java = new double[rounds];
            double[] nati = new double[rounds];
            for (int i = -5; i < rounds; i++) {   // 5 rounds of warm-up
                double j = rate(mx, JavaChunker.INSTANCE, buf);
                double n = rate(mx, nat, buf);
                if (i >= 0) {
                    java[i] = j;
                    nati[i] = n;
                }
            }
            Arrays.sort(java);
            Arrays.sort(nati);
            System.out.printf("%-6s java   median %7.0f best %7.0f MiB/s of CPU time%n", kind, java[rounds / 2],
                    java[rounds - 1]);
            System.out.printf("%-6s native median %7.0f best %7.0f MiB/s of CPU time (%.1fx java's median)%n", kind,
                    nati[rounds / 2], nati[rounds - 1], nati[rounds / 2] / java[rounds / 2]);
        }
    }

    private static double rate(ThreadMXBean mx, Chunker c, byte[] buf) {
        long t0 = mx.getCurrentThreadCpuTime();
        int start = 0;
        long r;
        int chunks = 0;
        while ((r = c.scan(buf, start, start, buf.length)) >= 0) {
            start = Chunker.end(r);
            chunks++;
        }
        long t1 = mx.getCurrentThreadCpuTime();
        if (chunks == 0) {
            throw new AssertionError("no boundaries");
        }
        return ChunkerBench.SIZE_MIB / ((t1 - t0) / 1e9);
    }
}
