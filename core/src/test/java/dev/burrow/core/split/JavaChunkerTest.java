package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.spi.Chunker;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JavaChunkerTest {
    /** The reference: a fresh {@link Rollsum} from {@code start}, testing from {@code from}. */
    static long reference(byte[] buf, int start, int from, int to) {
        Rollsum r = new Rollsum();
        for (int i = start; i < to; i++) {
            r.roll(buf[i]);
            if (i >= from && r.atBoundary()) {
                return (long) Rollsum.level(r.digest()) << 32 | (i + 1);
            }
        }
        return -1;
    }

    @Test
    void findsTheSameBoundariesAsTheReferenceOnRandomData() {
        Random rnd = new Random(42);
        byte[] buf = new byte[1 << 20];
        rnd.nextBytes(buf);
        int start = 0;
        int found = 0;
        while (true) {
            long expected = reference(buf, start, start, buf.length);
            assertEquals(expected, JavaChunker.INSTANCE.scan(buf, start, start, buf.length), "from " + start);
            if (expected < 0) {
                break;
            }
            found++;
            start = Chunker.end(expected);
        }
        assertEquals(true, found > 50, "found only " + found + " boundaries");
    }

    @Test
    void skippingWarmBytesGivesTheSameStateAsAFullScan() {
        Random rnd = new Random(7);
        byte[] buf = new byte[200_000];
        rnd.nextBytes(buf);
        for (int trial = 0; trial < 200; trial++) {
            int start = rnd.nextInt(100_000);
            int from = start + rnd.nextInt(300);
            assertEquals(reference(buf, start, from, buf.length), JavaChunker.INSTANCE.scan(buf, start, from, buf.length));
            // Once 64 bytes are fed, the state depends only on the window: a later start gives the same result.
            int p = from + 64;
            assertEquals(reference(buf, start, p, buf.length), JavaChunker.INSTANCE.scan(buf, p - 64, p, buf.length));
        }
    }

    @Test
    void levelsAreReported() {
        Random rnd = new Random(1);
        byte[] buf = new byte[4 << 20];
        rnd.nextBytes(buf);
        int start = 0;
        int maxLevel = 0;
        long r;
        while ((r = JavaChunker.INSTANCE.scan(buf, start, start, buf.length)) >= 0) {
            maxLevel = Math.max(maxLevel, Chunker.level(r));
            start = Chunker.end(r);
        }
        assertEquals(true, maxLevel >= 1, "no boundary of level >= 1 in 4 MiB");
    }
}
