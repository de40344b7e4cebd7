package dev.burrow.core.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Answers "is this object already stored in a pack?" for a repository, without loading its indexes into
 * the heap. This is the existence lookup every save asks once per chunk, so it is where the repository's
 * size must not show up in memory or time.
 *
 * <p>{@link #contains} is thread safe, also while {@link #addPack} runs (save workers look objects up while the
 * writer adds the packs it finishes); {@link #addPack} and {@link #close} are for one thread.
 */
final class KnownObjects implements AutoCloseable {
    private final List<PackIndexFile> idxs = new ArrayList<>();
    // What contains() reads: replaced, never changed, so readers need no lock and make no iterator.
    private volatile PackIndexFile[] snapshot = new PackIndexFile[0];

    private KnownObjects() {
    }

    /** Opens every {@code .idx} in {@code packDir}. */
    static KnownObjects open(Path packDir) throws IOException {
        KnownObjects known = new KnownObjects();
        try {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir, "*.idx")) {
                for (Path idx : files) {
                    known.idxs.add(PackIndexFile.open(idx));
                }
            }
            // Newest packs first: a re-save mostly finds its objects in the packs of the last save.
            known.idxs.sort(Comparator.comparing((PackIndexFile f) -> lastModified(f.path())).reversed());
            known.snapshot = known.idxs.toArray(new PackIndexFile[0]);
            return known;
        } catch (IOException | RuntimeException e) {
            known.close();
            throw e;
        }
    }

    private static long lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;   // Vanished or unreadable: order does not matter for correctness.
        }
    }

    /** Adds a pack that this process has just moved into place. */
    void addPack(Path idx) throws IOException {
        idxs.addFirst(PackIndexFile.open(idx));
        snapshot = idxs.toArray(new PackIndexFile[0]);
    }

    boolean contains(byte[] id, int off) {
        for (PackIndexFile idx : snapshot) {
            if (idx.contains(id, off)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        for (PackIndexFile idx : idxs) {
            idx.close();
        }
        idxs.clear();
        snapshot = new PackIndexFile[0];
    }
}
