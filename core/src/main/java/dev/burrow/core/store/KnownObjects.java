package dev.burrow.core.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers "is this object already stored in a pack?" for a repository, without loading its indexes into
 * the heap. This is the existence lookup every save asks once per chunk, so it is where the repository's
 * size must not show up in memory or time.
 *
 * <p>It reads what bup reads (spec §9): every {@code .midx} v4 whose idx files all exist, the {@code .idx}
 * files no midx covers, and {@code bup.bloom} v2. A lookup first searches the packs this process wrote, if
 * their {@link SessionFilter} says it may be there, then the files the bloom filter does not cover (packs
 * written since it was built), then asks the bloom filter, whose
 * "absent" is certain and ends most lookups of new objects in a few memory reads, and only then searches
 * the covered midx files and then idx files. Within each group, the file that answered last moves to the
 * front (per thread, so threads never contend for the order).
 *
 * <p>Files that are damaged, of another version, or that do not match the idx files (a midx whose idx was
 * deleted, a bloom filter that does not cover the idx files or fails a spot check against them) are
 * ignored with a warning: they only make lookups faster, so ignoring one never changes an answer.
 *
 * <p>Thread safety: {@link #contains} may be called from any number of threads at once, also while
 * {@link #addPack} runs; it allocates nothing (after a thread's first lookup following {@code addPack}).
 * {@link #close()} must not race with lookups.
 */
final class KnownObjects implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KnownObjects.class.getName());
    /** Ids of each idx checked against a midx or bloom filter before it is trusted. */
    private static final int SPOT_CHECKS = 8;

    /** What is searched, in which order. Immutable; replaced as a whole by {@link #addPack}. */
    private record Snapshot(PackLookup[] session, PackLookup[] unfiltered, BloomFile bloom, PackLookup[] filtered) {
    }

    /** A thread's search order: indexes into a snapshot's arrays, most recently hit first. */
    private static final class Order {
        final Snapshot snapshot;
        final int[] session;
        final int[] unfiltered;
        final int[] filtered;

        Order(Snapshot s) {
            snapshot = s;
            session = identity(s.session.length);
            unfiltered = identity(s.unfiltered.length);
            filtered = identity(s.filtered.length);
        }

        private static int[] identity(int n) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
            }
            return a;
        }
    }

    private final List<PackLookup> open = new ArrayList<>();
    private BloomFile bloomFile;
    /** Created with the first pack this process adds. */
    private SessionFilter sessionFilter;
    private volatile Snapshot snapshot;
    private final ThreadLocal<Order> orders = new ThreadLocal<>();
    private final LongAdder lookups = new LongAdder();
    private final LongAdder bloomRejections = new LongAdder();
    private final LongAdder sessionRejections = new LongAdder();

    private KnownObjects() {
    }

    /** Opens the midx, idx and bloom files in {@code packDir}. */
    static KnownObjects open(Path packDir) throws IOException {
        KnownObjects known = new KnownObjects();
        try {
            known.load(packDir);
            return known;
        } catch (IOException | RuntimeException e) {
            known.close();
            throw e;
        }
    }

    private void load(Path packDir) throws IOException {
        Map<String, Path> idxFiles = new HashMap<>();
        List<Path> midxFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".idx")) {
                    idxFiles.put(name, f);
                } else if (name.endsWith(".midx")) {
                    midxFiles.add(f);
                }
            }
        }
        Map<String, Long> idxCounts = new HashMap<>();
        List<PackLookup> sources = new ArrayList<>();
        Map<PackLookup, List<String>> covers = new HashMap<>();
        Set<String> covered = new HashSet<>();
        for (MidxFile midx : usableMidxes(midxFiles, idxFiles, idxCounts)) {
            if (covered.containsAll(midx.idxNames())) {
                midx.close();   // Redundant: a larger midx already covers all its idx files.
                continue;
            }
            covered.addAll(midx.idxNames());
            sources.add(keep(midx));
            covers.put(midx, midx.idxNames());
        }
        for (Map.Entry<String, Path> idx : idxFiles.entrySet()) {
            if (covered.contains(idx.getKey())) {
                continue;
            }
            try {
                PackIndexFile f = keep(PackIndexFile.open(idx.getValue()));
                sources.add(f);
                covers.put(f, List.of(idx.getKey()));
                idxCounts.put(idx.getKey(), f.count());
            } catch (CorruptPackException | NoSuchFileException e) {
                // Its objects count as absent, so they are written again: safe. fsck reports the damage.
                LOG.log(System.Logger.Level.WARNING, "Ignoring an unreadable idx: {0}", e.getMessage());
            }
        }
        // midx files first, largest first (they hold most objects, as in bup); then idx files, newest first: a
        // re-save mostly finds its objects in the packs of the last save.
        sources.sort(Comparator.comparing((PackLookup f) -> !(f instanceof MidxFile))
                .thenComparing(Comparator.comparingLong((PackLookup f) -> f instanceof MidxFile ? f.count() : 0)
                        .reversed())
                .thenComparing(Comparator.comparingLong((PackLookup f) -> lastModified(f.path())).reversed()));
        BloomFile bloom = trustedBloom(packDir.resolve("bup.bloom"), idxCounts);
        Set<String> inBloom = bloom == null ? Set.of() : new HashSet<>(bloom.idxNames());
        List<PackLookup> unfiltered = new ArrayList<>();
        List<PackLookup> filtered = new ArrayList<>();
        for (PackLookup s : sources) {
            boolean behindBloom = bloom != null && inBloom.containsAll(covers.get(s));
            if (behindBloom && !bloomPasses(bloom, s)) {
                LOG.log(System.Logger.Level.WARNING, "Ignoring {0}: ids of {1} are missing from it",
                        bloom.path(), s.path());
                bloom.close();
                bloom = null;
            }
            (behindBloom ? filtered : unfiltered).add(s);
        }
        if (bloom == null) {
            unfiltered.addAll(filtered);
            filtered.clear();
        }
        bloomFile = bloom;
        snapshot = new Snapshot(new PackLookup[0], unfiltered.toArray(PackLookup[]::new), bloom,
                filtered.toArray(PackLookup[]::new));
    }

    private <T extends PackLookup> T keep(T file) {
        open.add(file);
        return file;
    }

    /**
     * The midx files that are readable, v4, whose idx files all exist, and that agree with them (object
     * counts add up, spot-checked ids are found), largest and then newest first, as bup orders them.
     */
    private static List<MidxFile> usableMidxes(List<Path> midxFiles, Map<String, Path> idxFiles,
                                               Map<String, Long> idxCounts) {
        List<MidxFile> usable = new ArrayList<>();
        for (Path p : midxFiles) {
            MidxFile midx;
            try {
                midx = MidxFile.open(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Ignoring a midx: {0}", e.getMessage());
                continue;
            }
            String problem = checkMidx(midx, idxFiles, idxCounts);
            if (problem != null) {
                LOG.log(System.Logger.Level.WARNING, "Ignoring midx {0}: {1}", p, problem);
                midx.close();
                continue;
            }
            usable.add(midx);
        }
        usable.sort(Comparator.comparingLong(MidxFile::count).reversed()
                .thenComparing(Comparator.comparingLong((MidxFile m) -> lastModified(m.path())).reversed()));
        return usable;
    }

    private static String checkMidx(MidxFile midx, Map<String, Path> idxFiles, Map<String, Long> idxCounts) {
        long total = 0;
        byte[] id = new byte[ObjectId.LENGTH];
        for (String name : midx.idxNames()) {
            Path idxPath = idxFiles.get(name);
            if (idxPath == null) {
                return "its idx " + name + " does not exist";
            }
            try (PackIndexFile idx = PackIndexFile.open(idxPath)) {
                total += idx.count();
                idxCounts.put(name, idx.count());
                for (int s = 0; s < SPOT_CHECKS && s < idx.count(); s++) {
                    long i = idx.count() * s / SPOT_CHECKS;
                    MemorySegment.copy(idx.segment(), ValueLayout.JAVA_BYTE, idx.idOffset(i), id, 0, id.length);
                    if (!midx.contains(id, 0)) {
                        return "it does not contain " + ObjectId.fromBytes(id, 0) + " of " + name;
                    }
                }
            } catch (IOException e) {
                return "its idx cannot be read: " + e.getMessage();
            }
        }
        return total == midx.count() ? null : "it lists " + midx.count() + " objects, its idx files " + total;
    }

    /** The bloom filter if it is readable, v2, and counts at least the objects of the idx files it names. */
    private static BloomFile trustedBloom(Path file, Map<String, Long> idxCounts) {
        if (!Files.exists(file)) {
            return null;
        }
        BloomFile bloom;
        try {
            bloom = BloomFile.open(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Ignoring a bloom filter: {0}", e.getMessage());
            return null;
        }
        long listed = 0;
        for (String name : bloom.idxNames()) {
            listed += idxCounts.getOrDefault(name, 0L);
        }
        if (listed == 0 || bloom.entries() < listed) {
            if (listed > 0) {
                LOG.log(System.Logger.Level.WARNING, "Ignoring {0}: it counts {1} objects, its idx files {2}",
                        file, bloom.entries(), listed);
            }
            bloom.close();
            return null;
        }
        return bloom;
    }

    private static boolean bloomPasses(BloomFile bloom, PackLookup source) {
        byte[] id = new byte[ObjectId.LENGTH];
        long n = source.count();
        for (int s = 0; s < SPOT_CHECKS && s < n; s++) {
            MemorySegment.copy(source.segment(), ValueLayout.JAVA_BYTE, source.idOffset(n * s / SPOT_CHECKS), id, 0,
                    id.length);
            if (!bloom.mayContain(id, 0)) {
                return false;
            }
        }
        return true;
    }

    private static long lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;   // Vanished or unreadable: order does not matter for correctness.
        }
    }

    /**
     * Adds a pack that this process has just moved into place, with the ids of its first {@code count} objects
     * ({@code ids}, 20 bytes each); it is searched first, behind the session filter.
     */
    synchronized void addPack(Path idx, byte[] ids, int count) throws IOException {
        PackIndexFile f = keep(PackIndexFile.open(idx));
        if (sessionFilter == null) {
            sessionFilter = new SessionFilter();
        }
        sessionFilter.addAll(ids, count);
        Snapshot s = snapshot;
        PackLookup[] session = new PackLookup[s.session.length + 1];
        session[0] = f;
        System.arraycopy(s.session, 0, session, 1, s.session.length);
        snapshot = new Snapshot(session, s.unfiltered, s.bloom, s.filtered);
    }

    /** True when some pack has the object. Thread safe, allocation-free. */
    boolean contains(byte[] id, int off) {
        Snapshot s = snapshot;
        Order o = orders.get();
        if (o == null || o.snapshot != s) {
            o = new Order(s);
            orders.set(o);
        }
        lookups.increment();
        if (s.session.length > 0) {
            if (!sessionFilter.mayContain(id, off)) {
                sessionRejections.increment();
            } else if (search(s.session, o.session, id, off)) {
                return true;
            }
        }
        if (search(s.unfiltered, o.unfiltered, id, off)) {
            return true;
        }
        if (s.bloom != null && !s.bloom.mayContain(id, off)) {
            bloomRejections.increment();
            return false;
        }
        return search(s.filtered, o.filtered, id, off);
    }

    private static boolean search(PackLookup[] files, int[] order, byte[] id, int off) {
        for (int i = 0; i < order.length; i++) {
            int f = order[i];
            if (files[f].contains(id, off)) {
                if (i > 0) {
                    System.arraycopy(order, 0, order, 1, i);
                    order[0] = f;
                }
                return true;
            }
        }
        return false;
    }

    /** Lookups so far. */
    long lookups() {
        return lookups.sum();
    }

    /** Lookups that the bloom filter answered "absent". */
    long bloomRejections() {
        return bloomRejections.sum();
    }

    /** Lookups that the session filter kept out of the packs this process wrote. */
    long sessionRejections() {
        return sessionRejections.sum();
    }

    /** Whether a bloom filter is in use, and how many midx and idx files are searched: for tests and logs. */
    String describe() {
        Snapshot s = snapshot;
        long midx = 0;
        long idx = 0;
        for (PackLookup[] group : List.of(s.session, s.unfiltered, s.filtered)) {
            for (PackLookup f : group) {
                if (f instanceof MidxFile) {
                    midx++;
                } else {
                    idx++;
                }
            }
        }
        return "bloom=" + (s.bloom != null) + " midx=" + midx + " idx=" + idx + " behind-bloom=" + s.filtered.length;
    }

    @Override
    public synchronized void close() {
        for (PackLookup f : open) {
            f.close();
        }
        open.clear();
        if (bloomFile != null) {
            bloomFile.close();
            bloomFile = null;
        }
        if (snapshot != null) {
            snapshot = new Snapshot(new PackLookup[0], new PackLookup[0], null, new PackLookup[0]);
        }
    }
}
