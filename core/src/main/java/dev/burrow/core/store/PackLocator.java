package dev.burrow.core.store;

import java.io.IOException;
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
     * Kept apart from KnownObjects, which answers "is it stored?" for saves over idx, midx and bloom files:
     * restore needs the offset too, so it searches each pack's idx (PackIndexFile) and reads the pack itself.
     * A location is packed into one long so that a restore can sort millions of them without objects: pack
     * number in the high bits, offset in the low 40.
     */

    private static final int OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    /** Returned by {@link #locate} for an object in no pack (loose, or missing). */
    public static final long NOT_FOUND = -1;

    private final List<PackIndexFile> idxs = new ArrayList<>();
    private final List<FileChannel> packs = new ArrayList<>();
    private final List<Path> packPaths = new ArrayList<>();

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
        PackIndexFile idx = PackIndexFile.open(idxPath);
        FileChannel pack;
        try {
            pack = FileChannel.open(packPath, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            idx.close();
            throw e;
        }
        idxs.add(idx);
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
            PackIndexFile idx = idxs.get(p);
            int i = idx.indexOf(id);
            if (i >= 0) {
                if (p != hint) {
                    lastHit = p;
                }
                long offset = idx.packOffset(i);
                if (offset < 12 || offset > OFFSET_MASK) {
                    return NOT_FOUND;   // a damaged idx: let the slow path report it
                }
                return (long) p << OFFSET_BITS | offset;
            }
        }
        return NOT_FOUND;
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
        for (PackIndexFile idx : idxs) {
            idx.close();
        }
        packs.clear();
        idxs.clear();
        if (first != null) {
            throw first;
        }
    }
}
