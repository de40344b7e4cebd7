package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SampleEntropyTest {
    /** Inputs from one byte value to uniform noise, with mixtures in between, so estimates fall all over 0..8 bits. */
    private static List<byte[]> inputs() {
        List<byte[]> all = new ArrayList<>();
        all.add(new byte[5000]);
        all.add(TestData.random(1, 70_000));
        StringBuilder text = new StringBuilder();
        Random r = new Random(2);
        while (text.length() < 70_000) {
            text.append("word").append(r.nextInt(5000)).append(r.nextBoolean() ? ' ' : '\n');
        }
        all.add(text.toString().getBytes(StandardCharsets.UTF_8));
        for (int alphabet : new int[] {2, 16, 100, 180, 200, 220, 240, 250, 256}) {
            byte[] b = new byte[40_000];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(alphabet);
            }
            all.add(b);
        }
        byte[] periodic = new byte[40_000];
        for (int i = 0; i < periodic.length; i++) {
            periodic[i] = (byte) (i % 251);
        }
        all.add(periodic);
        return all;
    }

    @Test
    void nativeAndJavaGiveTheSameEstimateBitForBit() {
        Assumptions.assumeTrue(NativeChunker.isAvailable(), "native chunker library not built here");
        SampleEntropy nat = new SampleEntropy();
        SampleEntropy java = SampleEntropy.java();
        assertTrue(nat.isNative());
        Random r = new Random(3);
        int compared = 0;
        for (byte[] data : inputs()) {
            for (int k = 0; k < 300; k++) {
                int len = SampleEntropy.SAMPLE + r.nextInt(data.length - SampleEntropy.SAMPLE + 1);
                int off = r.nextInt(data.length - len + 1);
                double expected = java.bits(data, off, len);
                double got = nat.bits(data, off, len);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                        () -> "[" + off + ", +" + len + "): Java " + expected + ", native " + got);
                compared++;
            }
        }
        assertEquals(13 * 300, compared);
    }

    @Test
    void theEstimateSeparatesNoiseFromTextAndRuns() {
        for (SampleEntropy e : List.of(new SampleEntropy(), SampleEntropy.java())) {
            byte[] noise = TestData.random(4, 8192);
            assertTrue(e.bits(noise, 0, noise.length) > 7.5, "noise");
            byte[] zeros = new byte[8192];
            assertEquals(0.0, e.bits(zeros, 0, zeros.length));
            byte[] text = inputs().get(2);
            double bits = e.bits(text, 100, 8192);
            assertTrue(bits > 3 && bits < 6, () -> "text " + bits);
        }
    }

    @Test
    void shortOrOutOfRangeSamplesAreRefused() {
        SampleEntropy e = new SampleEntropy();
        byte[] data = new byte[2000];
        assertThrows(IndexOutOfBoundsException.class, () -> e.bits(data, 0, SampleEntropy.SAMPLE - 1));
        assertThrows(IndexOutOfBoundsException.class, () -> e.bits(data, 1000, 1001));
        assertThrows(IndexOutOfBoundsException.class, () -> e.bits(data, -1, 1024));
    }
}
