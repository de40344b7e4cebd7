package dev.burrow.core.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where objects are in a repository's packs: the pack and the offset of an id, from the memory-mapped
 * {@code .idx} v2 files (nothing is loaded into the heap), and an open channel on each pack for
 * {@link PackStream} to read from.
 *
 * <p>The packs are those present when it was opened. Thread safe once opened: lookups only read the
 * mappings, and the channels are used with positional reads only. Close it after every reader is done.
 */
public final class PackLocator implements AutoCloseable {
    /*
     * Kept apart from PackIndexFile/KnownObjects, which answer "is it stored?" for saves: restore needs
     * the offset too, and reads the pack itself. A location is packed into one long so that a restore can
     * sort millions of them without objects: pack number in the high bits, offset in the low 40.
     */

    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int HEADER = 8;
    private static final int FANOUT = 256 * 4;
    private static final int OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    /** Returned by {@link #locate} for an object in no pack (loose, or missing). */
    public static final long NOT_FOUND = -1;

    private final Arena arena = Arena.ofShared();
    private final List<Idx> idxs = new ArrayList<>();
    private final List<FileChannel> packs = new ArrayList<>();
    private final List<Path> packPaths = new ArrayList<>();

    private record Idx(Path path, MemorySegment map, int count) { }

    /**
     * The pack the last lookup found its object in, searched first: the chunks of a file are mostly in
     * one pack, and every other pack costs a full binary search over its idx. Only a hint, so threads
     * may race on it.
     */
    private volatile int lastHit;

    private PackLocator() {
    }

    /** Opens every {@code pack-*.idx} of the repository that has its {@code .pack} next to it. */
    public static PackLocator open(Repository repo) throws IOException {
        PackLocator l = new PackLocator();
        try {
            List<Path> found = new ArrayList<>();
            Path dir = repo.packDirectory();
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.idx")) {
                    files.forEach(found::add);
                }
            }
            found.sort(null);
            for (Path idx : found) {
                String name = idx.getFileName().toString();
                Path pack = idx.resolveSibling(name.substring(0, name.length() - 4) + ".pack");
                if (Files.isRegularFile(pack)) {
                    l.add(idx, pack);
                }
            }
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private void add(Path idxPath, Path packPath) throws IOException {
        if (idxs.size() >= 1 << (63 - OFFSET_BITS)) {
            throw new IOException("more than " + (1 << (63 - OFFSET_BITS)) + " packs in " + idxPath.getParent()
                    + "; repack the repository");
        }
        MemorySegment map;
        try (FileChannel ch = FileChannel.open(idxPath, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + FANOUT + 40) {
                throw new CorruptPackException(idxPath, "too short for an idx file (" + size + " bytes)");
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
        if (map.get(BE_INT, 0) != 0xff744f63 || map.get(BE_INT, 4) != 2) {
            throw new CorruptPackException(idxPath, "not a version 2 idx file");
        }
        int count = map.get(BE_INT, HEADER + 255 * 4);
        if (count < 0 || HEADER + FANOUT + (long) count * 28 + 40 > map.byteSize()) {
            throw new CorruptPackException(idxPath, "idx object count " + count + " does not fit its size "
                    + map.byteSize());
        }
        FileChannel pack = FileChannel.open(packPath, StandardOpenOption.READ);
        idxs.add(new Idx(idxPath, map, count));
        packs.add(pack);
        packPaths.add(packPath);
    }

    /**
     * The location of an object: {@code pack << 40 | offset} (see {@link #pack} and {@link #offset}), or
     * {@link #NOT_FOUND}. Ordering locations orders them by pack, then by position in the pack.
     */
    public long locate(ObjectId id) {
        int hint = lastHit;
        int n = idxs.size();
        for (int k = 0; k < n; k++) {
            int p = k == 0 ? hint : k <= hint ? k - 1 : k;
            Idx idx = idxs.get(p);
            int i = find(idx.map, id);
            if (i >= 0) {
                if (p != hint) {
                    lastHit = p;
                }
                long base = HEADER + FANOUT + (long) idx.count * 24;
                int small = idx.map.get(BE_INT, base + (long) i * 4);
                long offset;
                if (small >= 0) {
                    offset = small;
                } else {
                    long large = base + (long) idx.count * 4 + (long) (small & 0x7fffffff) * 8;
                    if (large + 8 > idx.map.byteSize() - 40) {
                        return NOT_FOUND;   // a damaged idx: let the slow path report it
                    }
                    offset = idx.map.get(BE_LONG, large);
                }
                if (offset < 12 || offset > OFFSET_MASK) {
                    return NOT_FOUND;
                }
                return (long) p << OFFSET_BITS | offset;
            }
        }
        return NOT_FOUND;
    }

    private static int find(MemorySegment map, ObjectId id) {
        int first = id.firstByte();
        int lo = first == 0 ? 0 : map.get(BE_INT, HEADER + (first - 1) * 4);
        int hi = map.get(BE_INT, HEADER + first * 4) - 1;
        long base = HEADER + FANOUT;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = id.compareMapped(map, base + (long) mid * ObjectId.LENGTH);
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

    /** The pack number of a location. */
    public static int pack(long location) {
        return (int) (location >>> OFFSET_BITS);
    }

    /** The byte offset in its pack of a location. */
    public static long offset(long location) {
        return location & OFFSET_MASK;
    }

    /** The open pack with this number; positional reads only. */
    public FileChannel channel(int pack) {
        return packs.get(pack);
    }

    /** The path of the pack with this number, for messages. */
    public Path packPath(int pack) {
        return packPaths.get(pack);
    }

    public int packCount() {
        return packs.size();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel c : packs) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        packs.clear();
        idxs.clear();
        arena.close();
        if (first != null) {
            throw first;
        }
    }
}
