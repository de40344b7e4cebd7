package dev.burrow.core.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A memory-mapped index file: fixed-size records sorted by path ({@link Keys} order), then the path bytes,
 * then a CRC-32C of everything before it. Nothing is copied to the heap; a lookup is a binary search.
 *
 * <pre>
 * header   "BURROWIX" u32 version=2 u32 recordSize=92 u64 count u64 pathsOffset u64 pathsLength   (40 bytes)
 * record   u64 pathOff u32 pathLen u32 gitMode u64 dev ino nlink ctimeNs mtimeNs size  id[20] u32 flags u32 attr
 * paths    the path bytes of all records, raw
 * trailer  u32 CRC-32C of all bytes before it
 * </pre>
 *
 * All integers are big-endian. Read-only after {@link #open}; safe for any number of threads.
 */
final class IndexFile implements AutoCloseable {
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final long MAGIC = 0x425552524f574958L;   // "BURROWIX"
    static final int VERSION = 2;
    static final int HEADER = 40;
    static final int RECORD = 92;
    static final int R_PATH_OFF = 0;
    static final int R_PATH_LEN = 8;
    static final int R_GITMODE = 12;
    static final int R_DEV = 16;
    static final int R_INO = 24;
    static final int R_NLINK = 32;
    static final int R_CTIME = 40;
    static final int R_MTIME = 48;
    static final int R_SIZE = 56;
    static final int R_ID = 64;
    static final int R_FLAGS = 84;
    static final int R_ATTR = 88;
    /** The entry's times were too close to its save's start to trust (bup's racy-time guard): never a hit. */
    static final int FLAG_RACY = 1;
    /**
     * A directory entry whose tree may no longer describe what is below it: something below was recorded
     * after it, by a save that did not get to record the directory itself (it was killed). Never a hit, so
     * the next save rebuilds the directory instead of reusing a tree with old contents.
     */
    static final int FLAG_STALE = 4;
    /** {@code attr} holds the file's chattr flags, and it had no xattrs and no ACL when recorded. */
    static final int FLAG_ATTR = 2;

    private static final IndexFile EMPTY = new IndexFile(null, MemorySegment.NULL, 0, 0);

    private final Arena arena;
    private final MemorySegment map;
    private final long count;
    private final long paths;

    private IndexFile(Arena arena, MemorySegment map, long count, long paths) {
        this.arena = arena;
        this.map = map;
        this.count = count;
        this.paths = paths;
    }

    static IndexFile empty() {
        return EMPTY;
    }

    /** Maps and fully validates {@code file}; throws {@link CorruptIndexException} if anything is off. */
    static IndexFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 4) {
                throw new CorruptIndexException(file, "too short for an index (" + size + " bytes)");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (map.get(BE_LONG, 0) != MAGIC) {
                throw new CorruptIndexException(file, "not a Burrow file index");
            }
            if (map.get(BE_INT, 8) != VERSION || map.get(BE_INT, 12) != RECORD) {
                throw new CorruptIndexException(file, "unknown index version " + map.get(BE_INT, 8));
            }
            long count = map.get(BE_LONG, 16);
            long pathsOffset = map.get(BE_LONG, 24);
            long pathsLength = map.get(BE_LONG, 32);
            if (count < 0 || count > (size - HEADER) / RECORD || pathsOffset != HEADER + count * RECORD
                    || pathsLength < 0 || pathsOffset + pathsLength + 4 != size) {
                throw new CorruptIndexException(file, "inconsistent sizes (" + count + " entries, " + size + " bytes)");
            }
            if (crc32c(map, size - 4) != map.get(BE_INT, size - 4)) {
                throw new CorruptIndexException(file, "checksum mismatch");
            }
            IndexFile f = new IndexFile(arena, map, count, pathsOffset);
            f.checkRecords(file, pathsLength);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** CRC-32C of {@code seg[0, len)}, in chunks because a ByteBuffer view is limited to 2 GiB. */
    static int crc32c(MemorySegment seg, long len) {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < len; ) {
            long n = Math.min(len - at, 1 << 30);
            crc.update(seg.asSlice(at, n).asByteBuffer());
            at += n;
        }
        return (int) crc.getValue();
    }

    private void checkRecords(Path file, long pathsLength) throws CorruptIndexException {
        // The previous path is kept rather than read again: this runs over every entry at each open, mostly
        // before the JIT has compiled it, where each segment access costs a chain of method-handle calls.
        long prevOff = 0;
        int prevLen = 0;
        for (long i = 0; i < count; i++) {
            long r = record(i);
            long off = map.get(BE_LONG, r + R_PATH_OFF);
            int len = map.get(BE_INT, r + R_PATH_LEN);
            if (off < 0 || len <= 0 || off + len > pathsLength) {
                throw new CorruptIndexException(file, "entry " + i + " has its path outside the file");
            }
            if (i > 0 && Keys.compare(map, paths + prevOff, prevLen, map, paths + off, len) >= 0) {
                throw new CorruptIndexException(file, "entries are not sorted at " + i);
            }
            prevOff = off;
            prevLen = len;
        }
    }

    long count() {
        return count;
    }

    MemorySegment segment() {
        return map;
    }

    /** Offset of record {@code i} in {@link #segment()}. */
    static long record(long i) {
        return HEADER + i * RECORD;
    }

    long pathStart(long i) {
        return paths + map.get(BE_LONG, record(i) + R_PATH_OFF);
    }

    int pathLength(long i) {
        return map.get(BE_INT, record(i) + R_PATH_LEN);
    }

    long getLong(long i, int field) {
        return map.get(BE_LONG, record(i) + field);
    }

    int getInt(long i, int field) {
        return map.get(BE_INT, record(i) + field);
    }

    /** The entry for {@code path}, or -1. */
    long find(byte[] path, int off, int len) {
        MemorySegment key = MemorySegment.ofArray(path);
        long lo = 0;
        long hi = count - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            int c = Keys.compare(map, pathStart(mid), pathLength(mid), key, off, len);
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

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
