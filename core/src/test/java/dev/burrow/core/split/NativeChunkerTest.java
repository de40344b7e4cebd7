package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.Chunker;
import dev.burrow.core.testing.NativeBuild;
import dev.burrow.core.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native chunker, on each of its code paths this CPU runs, against {@link JavaChunker}: single scans on chosen
 * and random arguments, and whole {@link HashSplitter} runs (which include forced cuts and rescans from the clear
 * range hint). {@link NativeChunkerBupTest} compares with bup itself.
 */
class NativeChunkerTest {
    /** Every path the library has that this CPU runs: scalar C, AVX2, AVX-512. */
    static List<NativeChunker> paths() {
        List<NativeChunker> paths = new ArrayList<>();
        for (int isa = NativeChunker.ISA_SCALAR; isa <= NativeChunker.bestIsa(); isa++) {
            paths.add(NativeChunker.withIsa(isa));
        }
        return paths;
    }

    @BeforeAll
    static void requireLibrary() {
        NativeBuild.assumeBuilt();
        assertNull(new NativeChunker().unavailabilityCause());
    }

    static List<int[]> chunks(Chunker chunker, byte[] data) throws IOException {
        List<int[]> chunks = new ArrayList<>();
        long[] at = {0};
        new HashSplitter(chunker).split(new ByteArrayInputStream(data), (buf, off, len, level) -> {
            chunks.add(new int[] {(int) at[0], len, level});
            at[0] += len;
        }, null);
        return chunks;
    }

    /** Asserts that the splitter gives the same chunks (offset, length, level) with every path as with Java. */
    static void assertSameChunks(byte[] data, String what) throws IOException {
        List<String> expected = chunks(JavaChunker.INSTANCE, data).stream().map(NativeChunkerTest::text).toList();
        for (NativeChunker c : paths()) {
            List<String> actual = chunks(c, data).stream().map(NativeChunkerTest::text).toList();
            assertSameList(expected, actual, what + " with " + c.name());
        }
    }

    /** assertEquals for long lists: names the first difference instead of printing both lists. */
    static <T> void assertSameList(List<T> expected, List<T> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), what + ": item " + i);
        }
        assertEquals(expected.size(), actual.size(), what + ": number of items");
    }

    private static String text(int[] chunk) {
        return chunk[0] + "+" + chunk[1] + "@" + chunk[2];
    }

    /** Asserts that one scan gives Java's result on every path. */
    static void assertSameScan(byte[] buf, int start, int from, int to) {
        long expected = JavaChunker.INSTANCE.scan(buf, start, from, to);
        for (NativeChunker c : paths()) {
            assertEquals(expected, c.scan(buf, start, from, to),
                    () -> c.name() + " scan(" + start + ", " + from + ", " + to + ") of " + buf.length);
        }
    }

    /** All boundaries of a buffer, scanning from each one to the end like the splitter's first attempt. */
    static List<Long> boundaries(Chunker c, byte[] buf) {
        List<Long> found = new ArrayList<>();
        int start = 0;
        long r;
        while ((r = c.scan(buf, start, start, buf.length)) >= 0) {
            found.add(r);
            start = Chunker.end(r);
        }
        return found;
    }

    @Test
    void bestPathIsTheVectorOneOnThisCpu() {
        // The build machines have AVX2; the description names the path that is used.
        assertTrue(NativeChunker.bestIsa() >= NativeChunker.ISA_AVX2, "best path " + NativeChunker.bestIsa());
        String d = new NativeChunker().description();
        assertEquals("native (" + NativeChunker.isaName(NativeChunker.bestIsa()) + ", libburrowchunk.so)", d);
    }

    @Test
    void sameBoundariesAndLevelsAsJavaOnRandomDataOfManySizes() {
        int[] sizes = {0, 1, 63, 64, 65, 127, 128, 959, 960, 1023, 1024, 1983, 1984, 2047, 2048, 3000, 65_536,
            100_000, 1 << 20, 3 << 20};
        for (int size : sizes) {
            byte[] buf = TestData.random(size, size);
            List<Long> expected = boundaries(JavaChunker.INSTANCE, buf);
            for (NativeChunker c : paths()) {
                assertSameList(expected, boundaries(c, buf), c.name() + " on " + size + " random bytes");
            }
        }
        List<Long> many = boundaries(JavaChunker.INSTANCE, TestData.random(3 << 20, 3 << 20));
        assertTrue(many.size() > 300 && many.stream().anyMatch(r -> Chunker.level(r) >= 1), "too few boundaries");
    }

    @Test
    void sameChunksAsJavaOnRandomAndAdversarialStreams() throws IOException {
        assertSameChunks(TestData.random(1, 20 << 20), "20 MiB random");
        assertSameChunks(TestData.adversarial(2, 24 << 20), "24 MiB adversarial");
        assertSameChunks(new byte[10 << 20], "10 MiB of zeros");
    }

    @Test
    void sameChunksAsJavaOnPeriodicData() throws IOException {
        Random rnd = new Random(3);
        for (int period : new int[] {1, 2, 3, 7, 16, 63, 64, 65, 100, 960, 1984, 4096, 30_000, 70_000}) {
            byte[] unit = new byte[period];
            rnd.nextBytes(unit);
            byte[] data = new byte[(9 << 20) + 12_345];
            for (int i = 0; i < data.length; i++) {
                data[i] = unit[i % period];
            }
            assertSameChunks(data, "period " + period);
        }
    }

    @Test
    void sameChunksAsJavaOnRealFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : List.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so",
                "/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip", "/usr/lib/jvm/temurin-25-jdk-amd64/lib/ct.sym",
                "/usr/share/common-licenses/GPL-3", "/usr/share/perl5/Debconf/Template.pm")) {
            if (Files.isRegularFile(Path.of(name))) {
                files.add(Path.of(name));
            }
        }
        try (var texts = Files.walk(Path.of("/usr/share/doc"), 3)) {
            texts.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".md")).limit(50)
                    .forEach(files::add);
        }
        Assumptions.assumeTrue(files.size() >= 5, "too few real files found: " + files);
        long bytes = 0;
        for (Path f : files) {
            byte[] data = Files.readAllBytes(f);
            if (data.length > (64 << 20)) {
                data = java.util.Arrays.copyOf(data, 64 << 20);
            }
            bytes += data.length;
            assertSameChunks(data, f.toString());
        }
        assertTrue(bytes > 10 << 20, "only " + bytes + " bytes of real files");
    }

    @Test
    void boundaryAtEveryPositionOfTheVectorRegions() {
        // A scan that starts at from - 64 tests from `from` on; moving `from` back over 2100 positions puts the
        // boundary at every offset of the 960- and 1984-byte regions and of their rows, and at the region's edges.
        byte[] buf = TestData.random(5, 200_000);
        long first = JavaChunker.INSTANCE.scan(buf, 100_000, 100_000, buf.length);
        int e = Chunker.end(first);
        assertTrue(e > 100_000 + 2200, "first boundary too close: " + e);
        for (int from = e - 2100; from < e + 2; from++) {
            assertSameScan(buf, from - 64, from, buf.length);
            assertSameScan(buf, from - 64, from, Math.max(from, e));       // the boundary is the last byte scanned
            assertSameScan(buf, from - 64, from, Math.max(from, e - 1));   // the boundary byte is just outside
        }
        for (int to = e - 70; to <= e + 70; to++) {
            assertSameScan(buf, e - 5000, e - 5000, to);
            assertSameScan(buf, e - 2000, e - 2000, Math.max(e - 2000, to));
        }
    }

    @Test
    void scansStartingAtEveryOffsetModulo64() {
        byte[] buf = TestData.random(6, 50_000);
        for (int start = 0; start < 130; start++) {
            for (int skip = 0; skip < 140; skip += 3) {
                assertSameScan(buf, start, start + skip, buf.length);
                assertSameScan(buf, 7_000 + start, 7_000 + start + skip, buf.length);
            }
        }
    }

    @Test
    void tinyBuffersAndRanges() {
        // Random 80-byte buffers where a boundary falls within the first 64 bytes about once in 128 buffers.
        Random rnd = new Random(7);
        int withBoundary = 0;
        for (int n = 0; n < 3000; n++) {
            byte[] buf = new byte[rnd.nextInt(81)];
            rnd.nextBytes(buf);
            if (JavaChunker.INSTANCE.scan(buf, 0, 0, buf.length) >= 0) {
                withBoundary++;
            }
            for (int start = 0; start <= buf.length; start += 1 + rnd.nextInt(8)) {
                for (int from = start; from <= buf.length; from += 1 + rnd.nextInt(8)) {
                    assertSameScan(buf, start, from, buf.length);
                    assertSameScan(buf, start, from, from + (buf.length - from) / 2);
                }
            }
        }
        assertTrue(withBoundary > 5, "only " + withBoundary + " tiny buffers had a boundary");
    }

    @Test
    void randomScanArgumentsGiveJavasResults() {
        Random rnd = new Random(8);
        byte[][] bufs = {TestData.random(9, 1 << 20), TestData.adversarial(10, 1 << 20), new byte[70_000]};
        for (int n = 0; n < 20_000; n++) {
            byte[] buf = bufs[rnd.nextInt(bufs.length)];
            int start = rnd.nextInt(buf.length + 1);
            int from = start + (rnd.nextBoolean() ? rnd.nextInt(200) : rnd.nextInt(40_000));
            from = Math.min(from, buf.length);
            int to = from + (rnd.nextBoolean() ? rnd.nextInt(3000) : rnd.nextInt(100_000));
            to = Math.min(to, buf.length);
            assertSameScan(buf, start, from, to);
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeTheNativeCall() {
        NativeChunker c = new NativeChunker();
        byte[] buf = new byte[100];
        for (int[] bad : new int[][] {{-1, 0, 10}, {5, 4, 10}, {0, 11, 10}, {0, 0, 101}}) {
            try {
                c.scan(buf, bad[0], bad[1], bad[2]);
                throw new AssertionError("accepted " + java.util.Arrays.toString(bad));
            } catch (IndexOutOfBoundsException expected) {
                // rejected, as JavaChunker does
            }
        }
    }
}
