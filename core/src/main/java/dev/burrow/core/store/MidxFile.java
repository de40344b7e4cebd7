package dev.burrow.core.store;

import static dev.burrow.core.store.PackIndexFile.BE_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory-mapped bup {@code .midx} v4 file (spec §9): the sorted ids of many idx files in one table, with
 * a fanout over the top {@code bits} bits of each id, and for each id the idx it came from.
 *
 * <pre>
 * "MIDX" u32 version=4 u32 bits | 2^bits x u32 fanout | N x id[20] | N x u32 which | idx names, NUL-separated
 * </pre>
 */
final class MidxFile implements PackLookup {
    static final int MAGIC = 0x4d494458;   // "MIDX"
    static final int VERSION = 4;
    static final int HEADER = 12;
    /** bup's table is at most 2^32 entries; more than 2^30 fanout slots would mean billions of objects. */
    static final int MAX_BITS = 30;

    private final Path path;
    private final Arena arena;
    private final MemorySegment map;
    private final int bits;
    private final long count;
    private final long shaOffset;
    private final long whichOffset;
    private final List<String> idxNames;

    private MidxFile(Path path, Arena arena, MemorySegment map, int bits, long count, List<String> idxNames) {
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.bits = bits;
        this.count = count;
        this.shaOffset = HEADER + 4L * (1L << bits);
        this.whichOffset = shaOffset + count * ObjectId.LENGTH;
        this.idxNames = idxNames;
    }

    /** Maps and checks the structure of a midx (not that its idx files exist: see {@link #idxNames()}). */
    static MidxFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 4) {
                throw new CorruptPackException(path, "too short for a midx (" + size + " bytes)");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (map.get(BE_INT, 0) != MAGIC) {
                throw new CorruptPackException(path, "not a midx file");
            }
            int version = map.get(BE_INT, 4);
            if (version != VERSION) {
                throw new CorruptPackException(path, "midx version " + version + " is not supported (only "
                        + VERSION + ")");
            }
            int bits = map.get(BE_INT, 8);
            if (bits < 0 || bits > MAX_BITS || HEADER + 4L * (1L << bits) > size) {
                throw new CorruptPackException(path, "midx fanout of 2^" + bits + " entries does not fit " + size
                        + " bytes");
            }
            long entries = 1L << bits;
            long prev = 0;
            for (long p = 0; p < entries; p++) {
                long v = map.get(BE_INT, HEADER + 4 * p) & 0xffffffffL;
                if (v < prev) {
                    throw new CorruptPackException(path, "midx fanout decreases at entry " + p);
                }
                prev = v;
            }
            long count = prev;
            long namesOffset = HEADER + 4 * entries + count * (ObjectId.LENGTH + 4);
            if (namesOffset > size) {
                throw new CorruptPackException(path, "midx of " + count + " objects does not fit " + size + " bytes");
            }
            List<String> names = names(map, namesOffset, size);
            if (names.isEmpty()) {
                throw new CorruptPackException(path, "midx names no idx files");
            }
            for (String n : names) {
                if (!n.endsWith(".idx") || n.contains("/") || n.length() < 5) {
                    throw new CorruptPackException(path, "midx names something that is not an idx file: " + n);
                }
            }
            return new MidxFile(path, arena, map, bits, count, names);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The NUL-separated names in {@code map[from, to)}; none when the range is empty. */
    static List<String> names(MemorySegment map, long from, long to) {
        List<String> names = new ArrayList<>();
        if (from == to) {
            return names;
        }
        byte[] all = map.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE);
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == 0) {
                names.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return List.copyOf(names);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long count() {
        return count;
    }

    int bits() {
        return bits;
    }

    /** Basenames of the idx files this midx covers, in its own order. */
    List<String> idxNames() {
        return idxNames;
    }

    @Override
    public MemorySegment segment() {
        return map;
    }

    @Override
    public long idOffset(long i) {
        return shaOffset + i * ObjectId.LENGTH;
    }

    long shaOffset() {
        return shaOffset;
    }

    long whichOffset() {
        return whichOffset;
    }

    @Override
    public boolean contains(byte[] id, int off) {
        int prefix = bits == 0 ? 0 : ((int) PackIndexFile.BYTES_BE_INT.get(id, off)) >>> (32 - bits);
        long lo = prefix == 0 ? 0 : map.get(BE_INT, HEADER + 4L * (prefix - 1)) & 0xffffffffL;
        long hi = (map.get(BE_INT, HEADER + 4L * prefix) & 0xffffffffL) - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            int c = PackIndexFile.compareId(map, shaOffset + mid * ObjectId.LENGTH, id, off);
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

    @Override
    public void close() {
        arena.close();
    }
}
