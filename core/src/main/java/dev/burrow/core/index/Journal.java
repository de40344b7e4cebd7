package dev.burrow.core.index;

import static dev.burrow.core.index.IndexFile.BE_INT;
import static dev.burrow.core.index.IndexFile.BE_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The entries a save recorded, in the order it recorded them: an append-only file that survives the save
 * being killed. Each record carries its own CRC-32C, so a torn tail (a record only partly written when the
 * process died) is recognised and ignored, together with anything after it.
 *
 * <pre>
 * header  "BURROWJN" u32 version=2 u32 0                                                   (16 bytes)
 * record  u32 n, then n bytes: u64 dev ino nlink ctimeNs mtimeNs size u32 gitMode u32 flags id[20] u32 attr
 *         path,
 *         then u32 CRC-32C of the length and the n bytes
 * </pre>
 *
 * A {@code Journal} instance is the read side: the valid records, mapped, plus an off-heap table of their
 * offsets sorted by path (equal paths in recording order, so the last one wins). The heap holds nothing per
 * record. Confined to the thread that opened it.
 */
final class Journal implements AutoCloseable {
    static final long MAGIC = 0x425552524f574a4eL;   // "BURROWJN"
    static final int VERSION = 2;
    static final int HEADER = 16;
    /** Offsets inside a record, counted from its length field. */
    static final int J_DEV = 4;
    static final int J_INO = 12;
    static final int J_NLINK = 20;
    static final int J_CTIME = 28;
    static final int J_MTIME = 36;
    static final int J_SIZE = 44;
    static final int J_GITMODE = 52;
    static final int J_FLAGS = 56;
    static final int J_ID = 60;
    static final int J_ATTR = 80;
    static final int J_PATH = 84;
    /** Payload bytes before the path. */
    static final int FIXED = J_PATH - 4;

    private final Arena arena;
    private final MemorySegment map;
    private final MemorySegment order;
    private final long count;
    private final long validEnd;

    private Journal(Arena arena, MemorySegment map, MemorySegment order, long count, long validEnd) {
        this.arena = arena;
        this.map = map;
        this.order = order;
        this.count = count;
        this.validEnd = validEnd;
    }

    /**
     * Maps the journal and sorts its valid records. A journal with a foreign header throws
     * {@link CorruptIndexException}; a bad record ends the journal there (a torn tail is no error).
     */
    static Journal open(Path file) throws IOException {
        return open(file, true);
    }

    /** Like {@link #open(Path)}; without {@code sorted}, {@link #record} is in recording order (cheaper). */
    static Journal open(Path file, boolean sorted) throws IOException {
        Arena arena = Arena.ofConfined();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment map = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (size < HEADER || map.get(BE_LONG, 0) != MAGIC || map.get(BE_INT, 8) != VERSION) {
                throw new CorruptIndexException(file, "not a Burrow index journal");
            }
            CRC32C crc = new CRC32C();
            long count = 0;
            long at = HEADER;
            while (true) {
                long end = validRecordEnd(map, size, at, crc);
                if (end < 0) {
                    break;
                }
                count++;
                at = end;
            }
            MemorySegment order = arena.allocate(Math.max(1, count) * 8, 8);
            long i = 0;
            for (long r = HEADER; i < count; i++) {
                order.setAtIndex(ValueLayout.JAVA_LONG, i, r);
                r += 8 + map.get(BE_INT, r);
            }
            Journal j = new Journal(arena, map, order, count, at);
            if (sorted) {
                j.sort();
            }
            return j;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** End of the record at {@code at} if it is complete and its checksum matches, else -1. */
    private static long validRecordEnd(MemorySegment map, long size, long at, CRC32C crc) {
        if (size - at < 8 + FIXED + 1) {
            return -1;
        }
        long n = map.get(BE_INT, at) & 0xffffffffL;
        if (n < FIXED + 1 || n > size - at - 8) {
            return -1;
        }
        crc.reset();
        crc.update(map.asSlice(at, 4 + n).asByteBuffer());
        if ((int) crc.getValue() != map.get(BE_INT, at + 4 + n)) {
            return -1;
        }
        return at + 8 + n;
    }

    long count() {
        return count;
    }

    /** Where the valid records end: appending continues here. */
    long validEnd() {
        return validEnd;
    }

    MemorySegment segment() {
        return map;
    }

    /** Offset of the {@code i}th record in path order. */
    long record(long i) {
        return order.getAtIndex(ValueLayout.JAVA_LONG, i);
    }

    static long pathStart(long record) {
        return record + J_PATH;
    }

    int pathLength(long record) {
        return map.get(BE_INT, record) - FIXED;
    }

    long getLong(long record, int field) {
        return map.get(BE_LONG, record + field);
    }

    int getInt(long record, int field) {
        return map.get(BE_INT, record + field);
    }

    private int compare(long a, long b) {
        int c = Keys.compare(map, pathStart(a), pathLength(a), map, pathStart(b), pathLength(b));
        return c != 0 ? c : Long.compare(a, b);
    }

    /**
     * Sorts the offset table in place, off-heap. A save records in walk order, which is path order except
     * that a directory comes after its contents; so a binary insertion sort moves each directory back over
     * its subtree, about n compares plus a memmove per directory. Input further from sorted (a resumed
     * journal, recorders on several threads) could make that quadratic, so past a budget of moves it
     * finishes with a heapsort.
     */
    private void sort() {
        long budget = 64 * count;
        for (long i = 1; i < count; i++) {
            long x = record(i);
            if (compare(record(i - 1), x) < 0) {
                continue;
            }
            long lo = 0;
            long hi = i - 1;   // record(hi) sorts after x; find the first that does.
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (compare(record(mid), x) > 0) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            budget -= i - lo;
            if (budget < 0) {
                heapsort();
                return;
            }
            MemorySegment.copy(order, lo * 8, order, (lo + 1) * 8, (i - lo) * 8);
            order.setAtIndex(ValueLayout.JAVA_LONG, lo, x);
        }
    }

    /** Heapsort of the offset table: in place, off-heap, no recursion. */
    private void heapsort() {
        long n = count;
        for (long i = n / 2 - 1; i >= 0; i--) {
            siftDown(i, n);
        }
        for (long end = n - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(long i, long n) {
        while (true) {
            long child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && compare(record(child + 1), record(child)) > 0) {
                child++;
            }
            if (compare(record(i), record(child)) >= 0) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(long i, long j) {
        long t = record(i);
        order.setAtIndex(ValueLayout.JAVA_LONG, i, record(j));
        order.setAtIndex(ValueLayout.JAVA_LONG, j, t);
    }

    @Override
    public void close() {
        arena.close();
    }
}
