package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole objects read through {@link PackStream}: small ones inflated in one call (libdeflate where available), large
 * ones streamed, both across window refills; damaged streams and wrong sizes reported the same way on either path.
 */
class PackStreamTest {
    private static final int WINDOW = 64 << 10;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream pack = new ByteArrayOutputStream();
    private final List<Long> offsets = new ArrayList<>();

    /** Appends a blob whose header says {@code claimedSize} and whose zlib stream holds {@code data}. */
    private byte[] blob(byte[] data, int claimedSize, int level) {
        offsets.add((long) pack.size());
        long s = claimedSize;
        int b = 3 << 4 | (int) (s & 15);
        s >>>= 4;
        while (s != 0) {
            pack.write(b | 0x80);
            b = (int) (s & 0x7f);
            s >>>= 7;
        }
        pack.write(b);
        Deflater d = new Deflater(level);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length + 1024];
        int n = 0;
        while (!d.finished()) {
            n += d.deflate(buf, n, buf.length - n);
        }
        d.end();
        byte[] z = Arrays.copyOf(buf, n);
        pack.writeBytes(z);
        return z;
    }

    private Path writePack() throws IOException {
        Path p = tmp.resolve("test.pack");
        Files.write(p, pack.toByteArray());
        return p;
    }

    private static byte[] text(int size) {
        byte[] b = new byte[size];
        byte[] words = "blob tree commit pack window inflate ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = words[(i * 7 + i / 13) % words.length];
        }
        return b;
    }

    private static byte[] readAll(PackStream in, FileChannel ch, Path path, long offset, int outSize)
            throws IOException {
        assertEquals(3, in.open(ch, path, offset));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer out = ByteBuffer.allocateDirect(outSize);
        while (true) {
            out.clear();
            int n = in.read(out);
            if (n < 0) {
                return got.toByteArray();
            }
            assertTrue(n > 0, "read gave 0 with room left");
            out.flip();
            byte[] part = new byte[n];
            out.get(part);
            got.writeBytes(part);
        }
    }

    @Test
    void smallAndLargeObjectsReadBackAcrossWindowRefills() throws IOException {
        List<byte[]> objects = new ArrayList<>();
        for (int size : new int[] {0, 1, 10, 5000, 30_000, 32 << 10, 40_000, 700_000, 8192}) {
            objects.add(size % 2 == 0 ? text(size) : TestData.random(size, size));
        }
        // Random data at level 0 is stored blocks, the longest stream: it must still be read whole.
        objects.add(TestData.random(7, 20_000));
        for (int i = 0; i < objects.size(); i++) {
            blob(objects.get(i), objects.get(i).length, i == objects.size() - 1 ? 0 : 1);
        }
        Path path = writePack();
        try (FileChannel ch = FileChannel.open(path); PackStream in = new PackStream(WINDOW)) {
            for (int outSize : new int[] {256 << 10, 4096}) {
                for (int i = 0; i < objects.size(); i++) {
                    assertArrayEquals(objects.get(i), readAll(in, ch, path, offsets.get(i), outSize), "object " + i);
                }
                // And out of order, so that the window moves back.
                for (int i = objects.size() - 1; i >= 0; i--) {
                    assertArrayEquals(objects.get(i), readAll(in, ch, path, offsets.get(i), outSize), "object " + i);
                }
            }
        }
    }

    @Test
    void damagedStreamsAreReportedOnBothPaths() throws IOException {
        byte[] small = text(6000);
        byte[] large = text(300_000);
        byte[] zs = blob(small, small.length, 6);
        byte[] zl = blob(large, large.length, 6);
        byte[] bytes = pack.toByteArray();
        int smallData = (int) (long) offsets.get(1) - zs.length;
        bytes[smallData + zs.length / 2] ^= 0x5a;
        bytes[(int) (long) offsets.get(1) + 3 + zl.length / 2] ^= 0x5a;
        Path path = tmp.resolve("bad.pack");
        Files.write(path, bytes);
        try (FileChannel ch = FileChannel.open(path); PackStream in = new PackStream(WINDOW)) {
            for (long offset : offsets) {
                CorruptPackException e = assertThrows(CorruptPackException.class,
                        () -> readAll(in, ch, path, offset, 256 << 10));
                assertTrue(e.getMessage().contains("zlib") || e.getMessage().contains("inflates"), e::getMessage);
            }
        }
    }

    @Test
    void aSizeOtherThanTheHeadersIsReported() throws IOException {
        byte[] data = text(5000);
        blob(data, data.length + 1, 1);
        blob(data, data.length - 1, 1);
        Path path = writePack();
        try (FileChannel ch = FileChannel.open(path); PackStream in = new PackStream(WINDOW)) {
            CorruptPackException shorter = assertThrows(CorruptPackException.class,
                    () -> readAll(in, ch, path, offsets.get(0), 256 << 10));
            assertTrue(shorter.getMessage().contains("inflates to 5000 bytes, its header says 5001"),
                    shorter::getMessage);
            CorruptPackException longer = assertThrows(CorruptPackException.class,
                    () -> readAll(in, ch, path, offsets.get(1), 256 << 10));
            assertTrue(longer.getMessage().contains("inflates to more than its 4999 bytes"), longer::getMessage);
        }
    }
}
