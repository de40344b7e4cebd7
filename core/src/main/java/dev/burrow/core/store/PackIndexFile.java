package dev.burrow.core.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped {@code .idx} v2 file, for "does this object exist?" without loading the index into the
 * heap. Lookups use the fanout table and a binary search over the mapped ids.
 */
final class PackIndexFile implements PackLookup {
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final VarHandle BYTES_BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    static final VarHandle BYTES_BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
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

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public MemorySegment segment() {
        return map;
    }

    @Override
    public long idOffset(long i) {
        return HEADER + FANOUT + i * ObjectId.LENGTH;
    }

    @Override
    public boolean contains(byte[] id, int off) {
        return position(id[off] & 0xff, null, id, off) >= 0;
    }

    /** The position of {@code id} in this idx, or -1; compares in place, so a lookup allocates nothing. */
    int indexOf(ObjectId id) {
        return position(id.firstByte(), id, null, 0);
    }

    /**
     * Binary search within the fanout bucket {@code first} for {@code oid}, or when it is null for the id at
     * {@code id[off..]}: the save looks up raw ids, the restore ObjectIds, and neither may allocate.
     */
    private int position(int first, ObjectId oid, byte[] id, int off) {
        int lo = first == 0 ? 0 : map.get(BE_INT, HEADER + (first - 1) * 4);
        int hi = map.get(BE_INT, HEADER + first * 4) - 1;
        long base = HEADER + FANOUT;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = base + (long) mid * ObjectId.LENGTH;
            int c = oid != null ? oid.compareMapped(map, at) : compareId(map, at, id, off);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * The pack offset of the object at position {@code i}, from the 4-byte table or, for large packs, the
     * 8-byte one; -1 when the idx points outside its own tables (a damaged idx, left to slower paths to report).
     */
    long packOffset(int i) {
        long base = HEADER + FANOUT + (long) count * 24;
        int small = map.get(BE_INT, base + (long) i * 4);
        if (small >= 0) {
            return small;
        }
        long large = base + (long) count * 4 + (long) (small & 0x7fffffff) * 8;
        if (large + 8 > map.byteSize() - 40) {
            return -1;
        }
        return map.get(BE_LONG, large);
    }

    /** Unsigned comparison of the id at {@code map[at..]} with {@code id[off..]}, eight bytes at a time. */
    static int compareId(MemorySegment map, long at, byte[] id, int off) {
        int c = Long.compareUnsigned(map.get(BE_LONG, at), (long) BYTES_BE_LONG.get(id, off));
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(map.get(BE_LONG, at + 8), (long) BYTES_BE_LONG.get(id, off + 8));
        if (c != 0) {
            return c;
        }
        return Integer.compareUnsigned(map.get(BE_INT, at + 16), (int) BYTES_BE_INT.get(id, off + 16));
    }

    @Override
    public void close() {
        arena.close();
    }
}
