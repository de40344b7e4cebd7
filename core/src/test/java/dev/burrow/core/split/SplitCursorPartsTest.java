package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.Chunker;
import dev.burrow.core.testing.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Splitting bup's 8 MiB reads as parts arrive ({@link SplitCursor#processPart}), the way the parallel save reads
 * files into small blocks, gives exactly the cuts of bup's whole-read algorithm, also where a read has to be
 * gathered because a cut depends on its rest.
 */
class SplitCursorPartsTest {
    /** Splits {@code data} as the save's reader and splitter do with blocks of {@code partSize} new bytes. */
    static List<int[]> splitInParts(byte[] data, int partSize, Chunker chunker, int[] gathers) throws IOException {
        List<int[]> chunks = new ArrayList<>();
        SplitCursor cursor = new SplitCursor(chunker);
        int[] base = {0};
        HashSplitter.ChunkSink sink = (buf, off, len, level) -> chunks.add(new int[] {base[0] + off, len, level});
        byte[] last = new byte[0];
        int lastEnd = 0;
        int prevEnd = 0;
        byte[] gather = null;
        int gatherEnd = 0;
        int gatherBase = 0;
        int pos = 0;
        cursor.reset(0);
        while (pos < data.length) {
            int readEnd = Math.min(pos + HashSplitter.READ_SIZE, data.length);
            while (pos < readEnd) {
                int n = Math.min(partSize, readEnd - pos);
                int carry = Math.min(HashSplitter.BLOB_MAX, pos);
                byte[] part = Arrays.copyOfRange(data, pos - carry, pos + n);
                int end = carry + n;
                boolean readEnds = pos + n == readEnd;
                if (pos > 0 && gather == null) {
                    cursor.rebase(carry - (prevEnd - cursor.start()));
                }
                if (gather != null) {
                    cursor.gathered(part, carry, end);
                    System.arraycopy(part, carry, gather, gatherEnd, n);
                    gatherEnd += n;
                    if (readEnds) {
                        base[0] = gatherBase;
                        cursor.process(gather, gatherEnd, sink);
                        last = gather;
                        lastEnd = gatherEnd;
                        prevEnd = gatherEnd;
                        gather = null;
                    }
                } else {
                    base[0] = pos - carry;
                    if (readEnds) {
                        cursor.process(part, end, sink);
                    } else if (!cursor.processPart(part, end, sink)) {
                        gathers[0]++;
                        gather = new byte[HashSplitter.READ_SIZE + HashSplitter.BLOB_MAX];
                        gatherEnd = end - cursor.start();
                        System.arraycopy(part, cursor.start(), gather, 0, gatherEnd);
                        gatherBase = base[0] + cursor.start();
                        cursor.gatherAt(0);
                    }
                    if (gather == null) {
                        last = part;
                        lastEnd = end;
                        prevEnd = end;
                    }
                }
                pos += n;
            }
        }
        base[0] = data.length - lastEnd;
        cursor.finish(last, lastEnd, sink);
        return chunks;
    }

    private static void assertSame(byte[] data, int partSize, int[] gathers) throws IOException {
        List<int[]> expected = HashSplitterTest.referenceSplit(data);
        List<int[]> actual = splitInParts(data, partSize, JavaChunker.INSTANCE, gathers);
        assertEquals(expected.size(), actual.size(), "chunk count, parts of " + partSize);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(Arrays.toString(expected.get(i)), Arrays.toString(actual.get(i)),
                    "chunk " + i + ", parts of " + partSize);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32 * 1024 + 1, 40_000, 100_000, 1 << 20})
    void adversarialDataGivesBupsCuts(int partSize) throws IOException {
        int[] gathers = {0};
        for (long seed = 1; seed <= 3; seed++) {
            assertSame(TestData.adversarial(seed, 18 << 20), partSize, gathers);
        }
        assertSame(TestData.random(4, 3 << 20), partSize, gathers);
        assertSame(new byte[(17 << 20) + 5], partSize, gathers);
    }

    /**
     * Short periods after long zero runs make a fresh scan find a boundary within 63 bytes of a forced cut: the
     * case where the cut depends on the rest of the read, so parts must be gathered.
     */
    @Test
    void cutsThatDependOnTheRestOfTheReadAreGathered() throws IOException {
        int[] gathers = {0};
        Random rnd = new Random(8);
        for (int round = 0; round < 40; round++) {
            byte[] data = TestData.periodicStretches(rnd, (9 << 20) + rnd.nextInt(1 << 20));
            for (int partSize : new int[] {40_000, 1 << 20}) {
                assertSame(data, partSize, gathers);
            }
        }
        assertTrue(gathers[0] > 0, "no read had to be gathered");
    }
}
