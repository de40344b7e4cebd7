package dev.burrow.core.zlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both implementations against each other and against java.util.zip, on the inputs packs hold. */
class ZlibTest {
    static final Path SYSTEM_LIBDEFLATE = Path.of("/usr/lib/x86_64-linux-gnu/libdeflate.so.0");
    static final int[] SIZES = {0, 1, 2, 3, 100, 1023, 1024, 8191, 8192, 8193, 65535, 65536, 65537, 300_000};

    /** "libdeflate" (when it loads here) and "jdk". */
    static List<String> implementations() {
        List<String> all = new ArrayList<>();
        if (Libdeflate.unavailabilityCause() == null) {
            all.add("libdeflate");
        }
        all.add("jdk");
        return all;
    }

    static Compressor compressor(String impl, int level) {
        return impl.equals("libdeflate") && level > 0 ? new LibdeflateCompressor(level) : new JdkCompressor(level);
    }

    static Decompressor decompressor(String impl) {
        return impl.equals("libdeflate") ? new LibdeflateDecompressor() : new JdkDecompressor();
    }

    static byte[] text(int size) {
        byte[] words = "the quick brown fox jumps over a lazy dog; pack objects, trees and blobs\n"
                .getBytes(StandardCharsets.US_ASCII);
        Random rnd = new Random(size);
        byte[] b = new byte[size];
        for (int p = 0; p < size; ) {
            int from = rnd.nextInt(words.length);
            int n = Math.min(Math.min(words.length - from, 1 + rnd.nextInt(12)), size - p);
            System.arraycopy(words, from, b, p, n);
            p += n;
        }
        return b;
    }

    static List<byte[]> inputs() {
        List<byte[]> all = new ArrayList<>();
        for (int size : SIZES) {
            all.add(TestData.random(size, size));
            all.add(text(size));
            all.add(new byte[size]);
        }
        return all;
    }

    static byte[] compress(Compressor c, byte[] data) {
        byte[] out = new byte[c.bound(data.length)];
        int n = c.compress(data, 0, data.length, out, 0, out.length);
        assertTrue(n > 0, () -> "compress gave " + n + " for " + data.length + " bytes");
        return Arrays.copyOf(out, n);
    }

    static byte[] inflateWithJdk(byte[] z, int size) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(z);
            byte[] out = new byte[size + 1];
            int n = 0;
            while (!inflater.finished() && n <= size) {
                int k = inflater.inflate(out, n, out.length - n);
                assertTrue(k > 0 || inflater.finished(), "java.util.zip stalled");
                n += k;
            }
            assertEquals(z.length, inflater.getBytesRead(), "the stream must take all its bytes");
            return Arrays.copyOf(out, n);
        } finally {
            inflater.end();
        }
    }

    static byte[] deflateWithJdk(byte[] data, int level) {
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(data);
            deflater.finish();
            byte[] out = new byte[data.length + data.length / 100 + 64];
            int n = 0;
            while (!deflater.finished()) {
                n += deflater.deflate(out, n, out.length - n);
            }
            return Arrays.copyOf(out, n);
        } finally {
            deflater.end();
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void everyLevelRoundTripsThroughJavaUtilZipAndItself(String impl) throws Exception {
        try (Decompressor d = decompressor(impl)) {
            for (int level = 0; level <= 9; level++) {
                try (Compressor c = compressor(impl, level)) {
                    assertEquals(level, c.level());
                    for (byte[] data : inputs()) {
                        byte[] z = compress(c, data);
                        assertTrue(z.length <= c.bound(data.length));
                        assertArrayEquals(data, inflateWithJdk(z, data.length), "level " + level + ", "
                                + data.length + " bytes");
                        byte[] back = new byte[data.length + 3];
                        assertEquals(z.length, d.decompress(z, 0, z.length, back, 3, data.length));
                        assertArrayEquals(data, Arrays.copyOfRange(back, 3, back.length));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void readsJavaUtilZipStreamsAndStopsAtTheirEnd(String impl) throws Exception {
        try (Decompressor d = decompressor(impl)) {
            for (int level : new int[] {0, 1, 6, 9}) {
                for (byte[] data : inputs()) {
                    byte[] z = deflateWithJdk(data, level);
                    // Pack entries follow each other with no length: the next one's bytes come right after.
                    byte[] packed = new byte[5 + z.length + 40];
                    new Random(1).nextBytes(packed);
                    System.arraycopy(z, 0, packed, 5, z.length);
                    byte[] back = new byte[data.length];
                    assertEquals(z.length, d.decompress(packed, 5, packed.length - 5, back, 0, data.length));
                    assertArrayEquals(data, back);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void byteBuffersDirectOrHeapMoveTheirPositions(String impl) throws Exception {
        byte[] data = text(70_000);
        byte[] z = deflateWithJdk(data, 1);
        try (Decompressor d = decompressor(impl)) {
            for (int kinds = 0; kinds < 4; kinds++) {
                ByteBuffer in = (kinds & 1) != 0 ? ByteBuffer.allocateDirect(z.length + 20)
                        : ByteBuffer.allocate(z.length + 20);
                ByteBuffer out = (kinds & 2) != 0 ? ByteBuffer.allocateDirect(data.length + 10)
                        : ByteBuffer.allocate(data.length + 10);
                // The same buffers twice, at other positions: direct ones have their addresses cached.
                for (int at : new int[] {7, 3}) {
                    in.clear().position(at);
                    in.put(z).position(at);
                    out.clear().position(at + 1);
                    d.decompress(in, out, data.length);
                    assertEquals(List.of(at + z.length, at + 1 + data.length), List.of(in.position(), out.position()));
                    byte[] back = new byte[data.length];
                    out.get(at + 1, back);
                    assertArrayEquals(data, back, "kinds " + kinds + " at " + at);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void theSameInputAlwaysGivesTheSameStream(String impl) {
        byte[] data = text(100_000);
        try (Compressor a = compressor(impl, 1); Compressor b = compressor(impl, 1)) {
            byte[] first = compress(a, data);
            compress(a, TestData.random(5, 50_000));
            assertArrayEquals(first, compress(a, data));
            assertArrayEquals(first, compress(b, data));
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void aStreamThatDoesNotFitIsReportedNotTruncated(String impl) {
        byte[] data = TestData.random(3, 10_000);
        try (Compressor c = compressor(impl, 1)) {
            byte[] out = new byte[data.length];
            assertEquals(-1, c.compress(data, 0, data.length, out, 0, data.length - 1));
            byte[] text = text(10_000);
            int n = c.compress(text, 0, text.length, out, 0, text.length - 1);
            assertTrue(n > 0 && n < text.length / 2, () -> "text compressed to " + n);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void damagedTruncatedOrWronglySizedStreamsAreRejected(String impl) throws Exception {
        byte[] data = text(20_000);
        byte[] z = deflateWithJdk(data, 6);
        byte[] back = new byte[data.length + 1];
        try (Decompressor d = decompressor(impl)) {
            byte[] flipped = z.clone();
            flipped[z.length / 2] ^= 0x55;
            byte[] badChecksum = z.clone();
            badChecksum[z.length - 1] ^= 1;
            byte[] badHeader = z.clone();
            badHeader[0] = 0x12;
            for (byte[] bad : List.of(flipped, badChecksum, badHeader, Arrays.copyOf(z, z.length - 3),
                    Arrays.copyOf(z, 1), new byte[0])) {
                ZlibException e = assertThrows(ZlibException.class,
                        () -> d.decompress(bad, 0, bad.length, back, 0, data.length));
                assertTrue(e.getMessage().contains("zlib"), e::getMessage);
            }
            ZlibException shorter = assertThrows(ZlibException.class,
                    () -> d.decompress(z, 0, z.length, back, 0, data.length + 1));
            assertTrue(shorter.getMessage().contains(String.valueOf(data.length + 1)), shorter::getMessage);
            ZlibException longer = assertThrows(ZlibException.class,
                    () -> d.decompress(z, 0, z.length, back, 0, data.length - 1));
            assertTrue(longer.getMessage().contains("more than " + (data.length - 1)), longer::getMessage);
            // After a failure the decompressor is still good for the next stream.
            assertEquals(z.length, d.decompress(z, 0, z.length, back, 0, data.length));
            assertArrayEquals(data, Arrays.copyOf(back, data.length));
        }
    }

    @Test
    void libdeflateIsUsedWhereTheSystemHasIt() {
        Assumptions.assumeTrue(Files.exists(SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        Assumptions.assumeFalse("jdk".equals(System.getProperty(Zlib.PROPERTY)), "forced to the JDK's zlib");
        assertEquals(null, Libdeflate.unavailabilityCause());
        assertTrue(Zlib.usesLibdeflate());
        assertTrue(Zlib.description().startsWith("libdeflate (libdeflate.so.0); level 1"), Zlib::description);
        try (Compressor c = Zlib.compressor(6); Decompressor d = Zlib.decompressor(); Compressor one =
                Zlib.compressor(1)) {
            assertEquals(List.of(LibdeflateCompressor.class, LibdeflateDecompressor.class),
                    List.of(c.getClass(), d.getClass()));
            assertEquals(Zlib.usesIsal() ? IsalCompressor.class : LibdeflateCompressor.class, one.getClass());
        }
        try (Compressor stored = Zlib.compressor(0)) {
            assertEquals(JdkCompressor.class, stored.getClass());
        }
    }

    @Test
    void adler32AgreesWithJavaUtilZipAtEveryLengthAndOffset() {
        Random rnd = new Random(7);
        byte[] data = new byte[200_000];
        rnd.nextBytes(data);
        Arrays.fill(data, 100_000, 140_000, (byte) 0xff);   // all-ones bytes push the sums toward their modulus
        java.util.zip.Adler32 jdk = new java.util.zip.Adler32();
        java.util.zip.Adler32 scratch = new java.util.zip.Adler32();
        int[] lengths = {0, 1, 15, 16, 63, 64, 5552, 5553, 65_535, 65_536, 99_999, 150_000};
        for (int len : lengths) {
            for (int off : new int[] {0, 1, 7, 200_000 - len}) {
                jdk.reset();
                jdk.update(data, off, len);
                int expected = (int) jdk.getValue();
                assertEquals(expected, Zlib.adler32(data, off, len, scratch), "len " + len + " off " + off);
                if (Libdeflate.unavailabilityCause() == null) {
                    assertEquals(expected, Libdeflate.adler32(data, off, len), "libdeflate, len " + len + " off " + off);
                }
                if (Isal.unavailabilityCause() == null) {
                    assertEquals(expected, Isal.adler32(data, off, len), "ISA-L, len " + len + " off " + off);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> Zlib.adler32(data, 199_990, 11, scratch));
    }

    @Test
    void closedInstancesRefuseWorkAndCloseTwiceSafely() {
        Assumptions.assumeTrue(Libdeflate.unavailabilityCause() == null, "no libdeflate here");
        Compressor c = new LibdeflateCompressor(1);
        Decompressor d = new LibdeflateDecompressor();
        c.close();
        c.close();
        d.close();
        d.close();
        byte[] b = new byte[100];
        assertThrows(IllegalStateException.class, () -> c.compress(b, 0, 10, b, 10, 90));
        assertThrows(IllegalStateException.class, () -> d.decompress(b, 0, 10, b, 10, 90));
    }
}
