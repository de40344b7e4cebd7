package dev.burrow.core.store;

import static dev.burrow.core.store.PackIndexFile.BE_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Writes bup {@code .midx} v4 files (spec §9), byte for byte as {@code bup midx} 0.33.7 does for the same
 * inputs, including its order for an id found in several inputs.
 *
 * <p>The merge streams: the inputs are memory-mapped, the output is a mapped temp file, and the heap holds
 * one cursor per input. The finished file is synced and renamed into place, so readers see either no midx
 * or a complete one.
 */
final class MidxWriter {
    private static final System.Logger LOG = System.getLogger(MidxWriter.class.getName());
    /** bup sizes the fanout so a bucket holds about one 4 KiB page of ids. */
    private static final double IDS_PER_PAGE = 4096 / 20.0;
    /** {@code bup midx --auto}: merge when there are more than this many midx and idx files... */
    private static final int AUTO_MAX_FILES = 5;
    /** ...unless fewer than this many objects are to be merged from fewer than three files. */
    private static final int AUTO_MIN_OBJECTS = 1024;

    private MidxWriter() { }

    /** One input's read position during the merge. */
    private static final class Cursor {
        final MemorySegment map;
        long at;
        final long end;
        /** Offset of the current id's "which" entry, or -1 for an idx (whose ids all come from one file). */
        long whichAt;
        final int nameBase;

        Cursor(PackLookup in, int nameBase) {
            this.map = in.segment();
            this.at = in.idOffset(0);
            this.end = in.idOffset(in.count());
            this.whichAt = in instanceof MidxFile m ? m.whichOffset() : -1;
            this.nameBase = nameBase;
        }

        int which() {
            return whichAt < 0 ? nameBase : nameBase + map.get(BE_INT, whichAt);
        }

        int compareTo(Cursor o) {
            int c = Long.compareUnsigned(map.get(PackIndexFile.BE_LONG, at), o.map.get(PackIndexFile.BE_LONG, o.at));
            if (c == 0) {
                c = Long.compareUnsigned(map.get(PackIndexFile.BE_LONG, at + 8),
                        o.map.get(PackIndexFile.BE_LONG, o.at + 8));
            }
            if (c == 0) {
                c = Integer.compareUnsigned(map.get(BE_INT, at + 16), o.map.get(BE_INT, o.at + 16));
            }
            return c;
        }
    }

    /** bup's fanout size for {@code total} ids: about one page of ids per bucket. */
    static int bits(long total) {
        long pages = Math.max(1, (long) (total / IDS_PER_PAGE));
        // Math.log like Python's math.log(x, 2), so the rounding (e.g. at 2^29) is the same as bup's.
        return (int) Math.ceil(Math.log(pages) / Math.log(2));
    }

    /** bup's name for a midx of these inputs: {@code midx-<sha1 of the NUL-joined input paths>.midx}. */
    static Path defaultName(Path dir, List<Path> inputs) {
        MessageDigest sha1 = Sha1.newDigest();
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) {
                sha1.update((byte) 0);
            }
            sha1.update(inputs.get(i).toString().getBytes(StandardCharsets.UTF_8));
        }
        return dir.resolve("midx-" + HexFormat.of().formatHex(sha1.digest()) + ".midx");
    }

    /**
     * Writes a midx over {@code inputs} (idx and midx files, in this order: it decides the order of the idx
     * names) to {@code out}, replacing it atomically. Returns the number of ids written.
     */
    static long write(Path out, List<Path> inputs) throws IOException {
        List<PackLookup> opened = new ArrayList<>();
        try {
            List<String> names = new ArrayList<>();
            List<Cursor> cursors = new ArrayList<>();
            long total = 0;
            for (Path p : inputs) {
                PackLookup in = p.getFileName().toString().endsWith(".midx") ? MidxFile.open(p) : PackIndexFile.open(p);
                opened.add(in);
                if (in.count() > 0) {
                    cursors.add(new Cursor(in, names.size()));
                }
                names.addAll(in instanceof MidxFile m ? m.idxNames() : List.of(p.getFileName().toString()));
                total += in.count();
            }
            if (total > 0xffffffffL) {
                throw new IOException(out + ": " + total + " objects are more than a midx can hold");
            }
            return write(out, cursors, names, total);
        } finally {
            for (PackLookup in : opened) {
                in.close();
            }
        }
    }

    private static long write(Path out, List<Cursor> inputs, List<String> names, long total) throws IOException {
        int bits = bits(total);
        long fanoutSlots = 1L << bits;
        long shaStart = MidxFile.HEADER + 4 * fanoutSlots;
        long whichStart = shaStart + total * ObjectId.LENGTH;
        byte[] nameBytes = String.join("\0", names).getBytes(StandardCharsets.UTF_8);
        long size = whichStart + total * 4 + nameBytes.length;
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = LookupTempFiles.create(dir, "midx");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                map.set(BE_INT, 0, MidxFile.MAGIC);
                map.set(BE_INT, 4, MidxFile.VERSION);
                map.set(BE_INT, 8, bits);
                merge(map, bits, shaStart, whichStart, inputs);
                MemorySegment.copy(nameBytes, 0, map, ValueLayout.JAVA_BYTE, whichStart + total * 4, nameBytes.length);
                map.force();
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Durability.syncDirectory(dir);
        return total;
    }

    /**
     * The k-way merge, in bup's order: the inputs are kept sorted by their current id, largest first, and
     * the last one (the smallest id) is taken. An input that moves on is put back by binary search; where
     * ids are equal, the search decides which input comes first, which is why it must be exactly bup's.
     */
    private static void merge(MemorySegment map, int bits, long shaStart, long whichStart, List<Cursor> inputs) {
        Cursor[] c = inputs.toArray(Cursor[]::new);
        // Largest first id first; equal ones keep their input order (Python's stable reverse sort).
        java.util.Arrays.sort(c, (a, b) -> b.compareTo(a));
        int last = c.length - 1;
        long count = 0;
        long prefix = 0;
        while (last >= 0) {
            Cursor cur = c[last];
            long p = bits == 0 ? 0 : (cur.map.get(BE_INT, cur.at) & 0xffffffffL) >>> (32 - bits);
            while (prefix < p) {
                map.set(BE_INT, MidxFile.HEADER + 4 * prefix++, (int) count);
            }
            MemorySegment.copy(cur.map, cur.at, map, shaStart + count * ObjectId.LENGTH, ObjectId.LENGTH);
            map.set(BE_INT, whichStart + count * 4, cur.which());
            cur.at += ObjectId.LENGTH;
            if (cur.whichAt >= 0) {
                cur.whichAt += 4;
            }
            count++;
            last = reposition(c, last);
        }
        while (prefix < (1L << bits)) {
            map.set(BE_INT, MidxFile.HEADER + 4 * prefix++, (int) count);
        }
    }

    /** Drops the last input if it is exhausted, else moves it to its place; returns the new last index. */
    private static int reposition(Cursor[] c, int last) {
        Cursor moved = c[last];
        if (moved.at >= moved.end) {
            c[last] = null;
            return last - 1;
        }
        if (last == 0) {
            return last;
        }
        int low = last - 1;
        int high = 0;
        int mid = last;
        int cmp = 0;
        while (low >= high) {
            mid = (low + high) / 2;
            cmp = moved.compareTo(c[mid]);
            if (cmp < 0) {
                high = mid + 1;
            } else if (cmp > 0) {
                low = mid - 1;
            } else {
                break;
            }
        }
        if (cmp < 0) {
            mid++;
        }
        if (mid != last) {
            System.arraycopy(c, mid, c, mid + 1, last - mid);
            c[mid] = moved;
        }
        return last;
    }

    /**
     * {@code bup midx --auto}: deletes midx files whose idx files are gone or that a larger midx makes
     * redundant, then, if more than five midx and idx files remain, merges all but the largest into one
     * new midx (and deletes the midx files it replaces). Returns the new midx, or null.
     */
    static Path auto(Path packDir) throws IOException {
        List<Path> idxPaths = new ArrayList<>();
        List<Path> midxPaths = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".idx")) {
                    idxPaths.add(f);
                } else if (name.endsWith(".midx")) {
                    midxPaths.add(f);
                }
            }
        }
        record Sized(Path path, long count, long mtime, List<String> idxNames) {
        }
        List<Sized> midxes = new ArrayList<>();
        for (Path p : midxPaths) {
            try (MidxFile m = MidxFile.open(p)) {
                boolean complete = true;
                for (String n : m.idxNames()) {
                    complete &= Files.exists(packDir.resolve(n));
                }
                if (!complete) {
                    LOG.log(System.Logger.Level.INFO, "Removing midx {0}: some of its idx files are gone", p);
                    Files.deleteIfExists(p);
                    continue;
                }
                midxes.add(new Sized(p, m.count(), Files.getLastModifiedTime(p).toMillis(), m.idxNames()));
            } catch (CorruptPackException e) {
                LOG.log(System.Logger.Level.WARNING, "Skipping a midx: {0}", e.getMessage());
            }
        }
        midxes.sort(Comparator.comparingLong(Sized::count).reversed()
                .thenComparing(Comparator.comparingLong(Sized::mtime).reversed()));
        Set<String> covered = new HashSet<>();
        List<Sized> all = new ArrayList<>();
        for (Sized m : midxes) {
            if (covered.containsAll(m.idxNames())) {
                Files.deleteIfExists(m.path());   // Redundant.
                continue;
            }
            covered.addAll(m.idxNames());
            all.add(m);
        }
        for (Path p : idxPaths) {
            if (!covered.contains(p.getFileName().toString())) {
                try (PackIndexFile idx = PackIndexFile.open(p)) {
                    all.add(new Sized(p, idx.count(), 0, List.of()));
                } catch (CorruptPackException e) {
                    LOG.log(System.Logger.Level.WARNING, "Leaving an unreadable idx out of the midx: {0}",
                            e.getMessage());
                }
            }
        }
        if (all.size() <= AUTO_MAX_FILES) {
            return null;
        }
        all.sort(Comparator.comparingLong(Sized::count).thenComparing(s -> s.path().toString()));
        List<Sized> merge = all.subList(0, all.size() - 1);
        long total = merge.stream().mapToLong(Sized::count).sum();
        if (total < AUTO_MIN_OBJECTS && merge.size() < 3) {
            return null;
        }
        List<Path> inputs = merge.stream().map(Sized::path).toList();
        Path out = defaultName(packDir, inputs);
        write(out, inputs);
        for (Path p : inputs) {
            if (p.getFileName().toString().endsWith(".midx") && !p.equals(out)) {
                Files.deleteIfExists(p);   // Covered by the new midx: what bup's next refresh would do.
            }
        }
        return out;
    }
}
