package dev.burrow.core.zlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Adler32;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ISA-L's level 1 against java.util.zip and libdeflate, where ISA-L is installed and the shim was built. */
class IsalCompressorTest {
    @BeforeEach
    void isalIsHere() {
        Assumptions.assumeTrue(ZlibChoiceTest.isalHere(),
                "no libisal2 here, or the native module was built without libisal-dev");
        assertNull(Isal.unavailabilityCause());
    }

    @Test
    void everyInputRoundTripsThroughJavaUtilZipAndLibdeflate() throws Exception {
        List<byte[]> inputs = new ArrayList<>(ZlibTest.inputs());
        inputs.add(TestData.random(9, 1 << 20));   // larger than any chunk: a tree of a huge directory
        inputs.add(ZlibTest.text(3 << 20));
        try (IsalCompressor c = new IsalCompressor()) {
            assertEquals(1, c.level());
            for (byte[] data : inputs) {
                // At an offset in both arrays, as chunks lie in the save's read blocks.
                byte[] in = new byte[data.length + 11];
                System.arraycopy(data, 0, in, 5, data.length);
                byte[] out = new byte[c.bound(data.length) + 9];
                int n = c.compress(in, 5, data.length, out, 9, out.length - 9);
                assertTrue(n > 0 && n <= c.bound(data.length), () -> data.length + " bytes gave " + n);
                byte[] z = Arrays.copyOfRange(out, 9, 9 + n);
                assertArrayEquals(data, ZlibTest.inflateWithJdk(z, data.length), data.length + " bytes");
                if (Libdeflate.unavailabilityCause() == null) {
                    try (Decompressor d = new LibdeflateDecompressor()) {
                        byte[] back = new byte[data.length];
                        assertEquals(n, d.decompress(z, 0, n, back, 0, data.length));
                        assertArrayEquals(data, back);
                    }
                }
            }
        }
    }

    @Test
    void chunksOfReusedArraysAndThenOtherArraysAreEachCompressedFromTheirOwnBytes() throws Exception {
        // As in a save: chunk after chunk from the same read block into the same batch output, then new arrays.
        byte[] block = ZlibTest.text(64 << 10);
        byte[] other = TestData.random(4, 64 << 10);
        try (IsalCompressor c = new IsalCompressor()) {
            byte[] out = new byte[4 * c.bound(16 << 10)];
            byte[] otherOut = new byte[c.bound(64 << 10)];
            for (byte[] in : List.of(block, other, block)) {
                int at = 0;
                for (int off = 0; off < in.length; off += 16 << 10) {
                    int n = c.compress(in, off, 16 << 10, out, at, out.length - at);
                    assertTrue(n > 0, "chunk at " + off);
                    assertArrayEquals(Arrays.copyOfRange(in, off, off + (16 << 10)),
                            ZlibTest.inflateWithJdk(Arrays.copyOfRange(out, at, at + n), 16 << 10), "chunk at " + off);
                    at += n;
                }
                int n = c.compress(in, 0, in.length, otherOut, 0, otherOut.length);
                assertArrayEquals(in, ZlibTest.inflateWithJdk(Arrays.copyOf(otherOut, n), in.length));
            }
            Adler32 jdk = new Adler32();
            jdk.update(block, 100, 5000);
            assertEquals((int) jdk.getValue(), Isal.adler32(block, 100, 5000), "Adler-32 at an offset");
        }
    }

    @Test
    void compressesTextAboutAsWellAsLibdeflate() {
        Assumptions.assumeTrue(Libdeflate.unavailabilityCause() == null, "no libdeflate here");
        byte[] text = ZlibTest.text(200_000);
        try (IsalCompressor isal = new IsalCompressor(); LibdeflateCompressor libdeflate = new LibdeflateCompressor(1)) {
            int i = ZlibTest.compress(isal, text).length;
            int l = ZlibTest.compress(libdeflate, text).length;
            assertTrue(i < text.length / 3 && i < l * 1.15, () -> "ISA-L " + i + ", libdeflate " + l + " bytes");
        }
    }

    @Test
    void aStreamThatDoesNotFitIsReportedNotTruncated() {
        byte[] random = TestData.random(3, 10_000);
        try (IsalCompressor c = new IsalCompressor()) {
            byte[] out = new byte[random.length];
            assertEquals(-1, c.compress(random, 0, random.length, out, 0, random.length - 1));
            assertEquals(-1, c.compress(random, 0, random.length, out, 0, 0));
            byte[] text = ZlibTest.text(10_000);
            assertEquals(-1, c.compress(text, 0, text.length, out, 0, 100));
            int n = c.compress(text, 0, text.length, out, 0, text.length - 1);
            assertTrue(n > 0 && n < text.length / 2, () -> "text compressed to " + n);
        }
    }

    @Test
    void workerThreadsEachWithTheirOwnCompressorGetCorrectStreams() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    try (IsalCompressor c = new IsalCompressor()) {
                        for (int i = 0; i < 200; i++) {
                            byte[] data = i % 2 == 0 ? ZlibTest.text(1000 + seed * 997 + i * 131)
                                    : TestData.random(seed * 1000 + i, 5000 + i);
                            byte[] z = ZlibTest.compress(c, data);
                            assertArrayEquals(data, ZlibTest.inflateWithJdk(z, data.length));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badRangesAndClosedInstancesAreRefused() {
        IsalCompressor c = new IsalCompressor();
        byte[] b = new byte[100];
        assertThrows(IndexOutOfBoundsException.class, () -> c.compress(b, 95, 10, b, 0, 50));
        assertThrows(IndexOutOfBoundsException.class, () -> c.compress(b, 0, 10, b, 60, 50));
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.compress(b, 0, 10, b, 10, 90));
    }
}
