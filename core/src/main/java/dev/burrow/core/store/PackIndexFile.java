package dev.burrow.core.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped {@code .idx} v2 file, for "does this object exist?" without loading the index into the
 * heap. Lookups use the fanout table and a binary search over the mapped ids.
 */
final class PackIndexFile implements AutoCloseable {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int HEADER = 8;
    private static final int FANOUT = 256 * 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment map;
    private final int count;

    private PackIndexFile(Path path, Arena arena, MemorySegment map, int count) {
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.count = count;
    }

    static PackIndexFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + FANOUT + 40) {
                throw new CorruptPackException(path, "too short for an idx file (" + size + " bytes)");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (map.get(BE_INT, 0) != 0xff744f63 || map.get(BE_INT, 4) != 2) {
                throw new CorruptPackException(path, "not a version 2 idx file");
            }
            int count = map.get(BE_INT, HEADER + 255 * 4);
            if (count < 0 || HEADER + FANOUT + (long) count * 28 + 40 > size) {
                throw new CorruptPackException(path, "idx object count " + count + " does not fit its size " + size);
            }
            return new PackIndexFile(path, arena, map, count);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    int count() {
        return count;
    }

    boolean contains(byte[] id, int off) {
        int first = id[off] & 0xff;
        int lo = first == 0 ? 0 : map.get(BE_INT, HEADER + (first - 1) * 4);
        int hi = map.get(BE_INT, HEADER + first * 4) - 1;
        long base = HEADER + FANOUT;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(base + (long) mid * ObjectId.LENGTH, id, off);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private int compare(long at, byte[] id, int off) {
        for (int i = 0; i < ObjectId.LENGTH; i++) {
            int a = map.get(ValueLayout.JAVA_BYTE, at + i) & 0xff;
            int b = id[off + i] & 0xff;
            if (a != b) {
                return a - b;
            }
        }
        return 0;
    }

    @Override
    public void close() {
        arena.close();
    }
}
