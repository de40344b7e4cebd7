package dev.burrow.core.testing;

import java.util.Random;

/** Generated inputs for chunking and backup tests. */
public final class TestData {
    private TestData() { }

    /** Random bytes from a fixed seed. */
    public static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Random data with long stretches that have no chunk boundary (zeros, short periods) in between: the
     * inputs where bup's forced 32 KiB cuts and block-dependent quirks show.
     */
    public static byte[] adversarial(long seed, int size) {
        Random rnd = new Random(seed);
        byte[] data = new byte[size];
        int p = 0;
        while (p < size) {
            int len = Math.min(size - p, 1 + rnd.nextInt(rnd.nextBoolean() ? 300_000 : 20_000));
            switch (rnd.nextInt(4)) {
                case 0 -> { } // zeros
                case 1 -> {
                    byte[] period = new byte[1 + rnd.nextInt(100)];
                    rnd.nextBytes(period);
                    for (int i = 0; i < len; i++) {
                        data[p + i] = period[i % period.length];
                    }
                }
                default -> {
                    byte[] r = new byte[len];
                    rnd.nextBytes(r);
                    System.arraycopy(r, 0, data, p, len);
                }
            }
            p += len;
        }
        return data;
    }

    /**
     * Stretches of short periods (1-80 bytes) between zeros, of 40-440 KB each: fresh scans then find boundaries
     * right after bup's forced 32 KiB cuts, where its cuts depend on the rest of its 8 MiB read.
     */
    public static byte[] periodicStretches(Random rnd, int size) {
        byte[] data = new byte[size];
        for (int p = 0; p < size; ) {
            int len = Math.min(size - p, 40_000 + rnd.nextInt(400_000));
            byte[] period = new byte[1 + rnd.nextInt(80)];
            rnd.nextBytes(period);
            if (rnd.nextInt(3) > 0) {
                for (int i = 0; i < len; i++) {
                    data[p + i] = period[i % period.length];
                }
            }
            p += len;
        }
        return data;
    }
}
