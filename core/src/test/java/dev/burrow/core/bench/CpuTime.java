package dev.burrow.core.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cross-check for the JMH benchmarks on a busy machine: runs the same benchmark methods round-robin and rates each
 * run by the thread's CPU time, not wall time, so time spent preempted by other processes does not count (shared
 * caches and memory bandwidth still do). Prints the median and best MiB per CPU second of each.
 *
 * <p>Run with {@code bench/jmh.sh CpuTime [ROUNDS [FILTER]]}; FILTER keeps the cases whose name contains it (e.g.
 * {@code flate}).
 */
public final class CpuTime {
    private CpuTime() { }

    private interface Op {
        long run() throws Exception;
    }

    private record Case(String name, int mib, Op op, double[] rates) { }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        List<Case> cases = new ArrayList<>();
        for (String data : List.of("random", "text")) {
            for (String chunker : List.of("java", "native")) {
                ChunkerBench b = new ChunkerBench();
                b.chunker = chunker;
                b.data = data;
                b.setUp();
                cases.add(new Case("chunker " + chunker + " " + data, ChunkerBench.SIZE_MIB, b::scan,
                        new double[rounds]));
            }
        }
        for (String data : List.of("random", "text")) {
            for (String impl : List.of("java", "native")) {
                SampleEntropyBench e = new SampleEntropyBench();
                e.impl = impl;
                e.data = data;
                e.setUp();
                cases.add(new Case("entropy sample " + impl + " " + data, SampleEntropyBench.SIZE_MIB,
                        () -> (int) e.sample(), new double[rounds]));
            }
        }
        for (String impl : List.of("jdk", "native")) {
            Sha1Bench sha = new Sha1Bench();
            sha.chunk = 8192;
            sha.impl = impl;
            sha.setUp();
            cases.add(new Case("sha1 " + impl + " 8 KiB", Sha1Bench.SIZE_MIB, () -> sha.sha1().length,
                    new double[rounds]));
        }
        for (String data : List.of("random", "text")) {
            for (int level : new int[] {0, 1, 6}) {
                for (String impl : level == 0 ? List.of("jdk") : level == 1 ? List.of("jdk", "libdeflate", "isal")
                        : List.of("jdk", "libdeflate")) {
                    ZlibBench z = new ZlibBench();
                    z.impl = impl;
                    z.level = level;
                    z.data = data;
                    z.setUp();
                    String what = impl + " " + level + " " + data;
                    cases.add(new Case("deflate " + what, ZlibBench.SIZE_MIB, z::deflate, new double[rounds]));
                    cases.add(new Case("inflate " + what, ZlibBench.SIZE_MIB, z::inflate, new double[rounds]));
                }
            }
        }
        if (args.length > 1) {
            cases.removeIf(c -> !c.name().contains(args[1]));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = -3; round < rounds; round++) {   // 3 rounds of warm-up
            for (Case c : cases) {
                long t0 = mx.getCurrentThreadCpuTime();
                sink += c.op().run();
                long t1 = mx.getCurrentThreadCpuTime();
                if (round >= 0) {
                    c.rates()[round] = c.mib() / ((t1 - t0) / 1e9);
                }
            }
        }
        for (Case c : cases) {
            double[] r = c.rates().clone();
            Arrays.sort(r);
            System.out.printf("%-30s median %7.0f  best %7.0f  MiB per CPU second%n", c.name(), r[rounds / 2],
                    r[rounds - 1]);
        }
        System.out.println(sink == 42 ? "" : "(" + rounds + " rounds)");
    }
}
