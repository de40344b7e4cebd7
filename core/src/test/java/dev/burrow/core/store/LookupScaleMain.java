package dev.burrow.core.store;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child-JVM side of {@link MidxBloomTest#millionObjectsAreLookedUpWithA64MiBHeap}: over ten idx fixtures of
 * 100,000 ids (seeds 1000..1009), writes the midx and bloom filter, opens the lookup, finds every id, and
 * looks up a million random ids, which should nearly all end in the bloom filter. Prints figures; fails
 * (exit 1) when an answer is wrong, too few absent ids end in the bloom, or the lookup keeps much heap.
 */
public final class LookupScaleMain {
    private LookupScaleMain() { }

    public static void main(String[] args) throws Exception {
        Path packDir = Path.of(args[0]);
        long t0 = System.nanoTime();
        MidxWriter.auto(packDir);
        BloomWriter.update(packDir);
        long t1 = System.nanoTime();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        try (KnownObjects known = KnownObjects.open(packDir)) {
            System.gc();
            long held = mem.getHeapMemoryUsage().getUsed() - before;
            byte[] id = new byte[20];
            long t2 = System.nanoTime();
            long present = 0;
            for (int seed = 1000; seed < 1010; seed++) {
                IdxFixtures.Ids ids = new IdxFixtures.Ids(seed, 100_000);
                for (long i = 0; i < ids.count(); i++) {
                    ids.next(id);
                    if (!known.contains(id, 0)) {
                        throw new AssertionError("missed id " + i + " of seed " + seed);
                    }
                    present++;
                }
            }
            long t3 = System.nanoTime();
            SplittableRandom rnd = new SplittableRandom(7);
            int absent = 1_000_000;
            for (int i = 0; i < absent; i++) {
                rnd.nextBytes(id);
                if (known.contains(id, 0)) {
                    throw new AssertionError("found a random id");
                }
            }
            long t4 = System.nanoTime();
            double inBloom = known.bloomRejections() / (double) absent;
            System.out.printf("%s; midx+bloom written in %d ms; heap held by the open lookup %d KiB; "
                            + "%d present ids at %.1f M/s; %d absent ids at %.1f M/s, %.2f%% ended in the bloom%n",
                    known.describe(), (t1 - t0) / 1_000_000, held / 1024, present,
                    present * 1e3 / (t3 - t2), absent, absent * 1e3 / (t4 - t3), 100 * inBloom);
            if (!known.describe().startsWith("bloom=true midx=1")) {
                throw new AssertionError("lookup files not used: " + known.describe());
            }
            if (inBloom < 0.95) {
                throw new AssertionError("only " + inBloom + " of absent ids ended in the bloom filter");
            }
            if (held > 2 << 20) {
                throw new AssertionError("the open lookup holds " + held + " bytes of heap");
            }
        }
        System.out.println("ok");
    }
}
