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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Brings {@code bup.bloom} up to date with the idx files in a pack directory, deciding as {@code bup bloom}
 * 0.33.7 does: new idx files are added to the existing filter, and the filter is built again from all idx
 * files when it is missing or invalid, when its entry count disagrees with the idx files it lists, or when
 * the new entries would push the false-positive estimate above 1%. Burrow also rebuilds a filter that fails
 * a spot check (e.g. one cleared by {@code bup bloom --ruin}).
 *
 * <p>Unlike bup, which adds to the filter in place, the new filter is always written to a temp file,
 * synced and renamed, so a crash leaves the old filter or the new one. The bytes are the same as bup's.
 */
final class BloomWriter {
    private static final System.Logger LOG = System.getLogger(BloomWriter.class.getName());
    /** bup sizes a new filter at 32 bits per expected entry. */
    private static final int BITS_PER_ENTRY = 32;
    /** bup's limit, in percent, on the false-positive estimate before it rebuilds a bigger filter. */
    private static final double MAX_FALSE_POSITIVE_PERCENT = 1.0;

    private BloomWriter() { }

    /** bup's largest table for k hash functions: 2^29 bytes with k = 5 (160/k - 3 bits of address). */
    static int maxBits(int k) {
        return k == 5 ? 29 : BloomFile.MAX_BITS;
    }

    /** False-positive estimate in percent, as bup computes it. */
    static double falsePositivePercent(long entries, int bits, int k) {
        double m = 8 * Math.pow(2, bits);
        return 100 * Math.pow(1 - Math.exp(-k * (double) entries / m), k);
    }

    /** Updates {@code packDir/bup.bloom}; returns false when there was nothing to add. */
    static boolean update(Path packDir) throws IOException {
        Path out = packDir.resolve("bup.bloom");
        List<Path> idxPaths = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir, "*.idx")) {
            for (Path f : files) {
                idxPaths.add(f);   // Directory order, as bup's glob: it decides the order of the names.
            }
        }
        BloomFile existing = null;
        if (Files.exists(out)) {
            try {
                existing = BloomFile.open(out);
            } catch (CorruptPackException e) {
                LOG.log(System.Logger.Level.WARNING, "Rebuilding the bloom filter: {0}", e.getMessage());
            }
        }
        List<PackIndexFile> opened = new ArrayList<>();
        try {
            Set<String> listed = existing == null ? Set.of() : new HashSet<>(existing.idxNames());
            List<PackIndexFile> add = new ArrayList<>();
            List<PackIndexFile> rest = new ArrayList<>();
            long addCount = 0;
            long restCount = 0;
            for (Path p : idxPaths) {
                PackIndexFile idx;
                try {
                    idx = PackIndexFile.open(p);
                } catch (CorruptPackException e) {
                    LOG.log(System.Logger.Level.WARNING, "Leaving an unreadable idx out of the bloom filter: {0}",
                            e.getMessage());
                    continue;
                }
                opened.add(idx);
                if (listed.contains(p.getFileName().toString())) {
                    rest.add(idx);
                    restCount += idx.count();
                } else {
                    add.add(idx);
                    addCount += idx.count();
                }
            }
            if (add.isEmpty()) {
                return false;
            }
            boolean rebuild = existing == null
                    || existing.entries() != restCount
                    || existing.bits() < maxBits(existing.k())
                            && falsePositivePercent(existing.entries() + addCount, existing.bits(), existing.k())
                            > MAX_FALSE_POSITIVE_PERCENT
                    || !spotCheck(existing, rest);
            if (rebuild) {
                add.addAll(rest);
                long expected = addCount + restCount;
                if (expected == 0) {
                    return false;   // Only empty idx files: a filter of nothing is no use (bup fails here).
                }
                int bits = (int) Math.floor(Math.log(expected * BITS_PER_ENTRY / 8) / Math.log(2));
                int k = bits <= maxBits(5) ? 5 : 4;
                bits = Math.min(bits, maxBits(k));
                write(out, bits, k, null, 0, List.of(), add);
            } else {
                write(out, existing.bits(), existing.k(), existing.segment(), existing.entries(), existing.idxNames(),
                        add);
            }
            return true;
        } finally {
            for (PackIndexFile idx : opened) {
                idx.close();
            }
            if (existing != null) {
                existing.close();
            }
        }
    }

    private static boolean spotCheck(BloomFile bloom, List<PackIndexFile> idxs) {
        byte[] id = new byte[ObjectId.LENGTH];
        for (PackIndexFile idx : idxs) {
            for (int s = 0; s < 8 && s < idx.count(); s++) {
                MemorySegment.copy(idx.segment(), ValueLayout.JAVA_BYTE, idx.idOffset(idx.count() * s / 8), id, 0,
                        id.length);
                if (!bloom.mayContain(id, 0)) {
                    LOG.log(System.Logger.Level.WARNING, "Rebuilding {0}: it lacks ids of {1}", bloom.path(),
                            idx.path());
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Writes a filter: the table of {@code base} (or an empty one), plus the ids of {@code add}; its names
     * are {@code names} followed by those of {@code add}.
     */
    private static void write(Path out, int bits, int k, MemorySegment base, long entries, List<String> names,
                              List<PackIndexFile> add) throws IOException {
        List<String> allNames = new ArrayList<>(names);
        for (PackIndexFile idx : add) {
            allNames.add(idx.path().getFileName().toString());
            entries += idx.count();
        }
        if (entries > 0xffffffffL) {
            throw new IOException(out + ": " + entries + " objects are more than a bloom filter can count");
        }
        byte[] nameBytes = String.join("\0", allNames).getBytes(StandardCharsets.UTF_8);
        long table = 1L << bits;
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = LookupTempFiles.create(dir, "bloom");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0,
                        BloomFile.HEADER + table + nameBytes.length, arena);
                if (base != null) {
                    MemorySegment.copy(base, BloomFile.HEADER, map, BloomFile.HEADER, table);
                }
                map.set(BE_INT, 0, BloomFile.MAGIC);
                map.set(BE_INT, 4, BloomFile.VERSION);
                map.set(BloomFile.BE_SHORT, 8, (short) bits);
                map.set(BloomFile.BE_SHORT, 10, (short) k);
                map.set(BE_INT, 12, (int) entries);
                for (PackIndexFile idx : add) {
                    for (long i = 0; i < idx.count(); i++) {
                        BloomFile.add(map, bits, k, idx.segment(), idx.idOffset(i));
                    }
                    // Read once, front to back: drop its pages from this process (the page cache keeps them), or
                    // every idx of the repository would be resident together at the end of a save.
                    if (idx.segment().isMapped()) {
                        idx.segment().unload();
                    }
                }
                MemorySegment.copy(nameBytes, 0, map, ValueLayout.JAVA_BYTE, BloomFile.HEADER + table,
                        nameBytes.length);
                map.force();
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Durability.syncDirectory(dir);
    }
}
