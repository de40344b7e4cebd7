package dev.burrow.core.backup;

import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.split.ChunkTreeBuilder;
import dev.burrow.core.split.HashSplitter;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;
import dev.burrow.core.store.TreeFormatter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code burrow save}: writes a snapshot of files and directories as bup does (spec §4–§7) and moves the
 * branch to it.
 *
 * <p>Files are read one at a time, split, and their chunks written straight into the pack; only one
 * directory level's entries per open directory are held in memory. The ref moves only after the pack is
 * complete and synced, so an interrupted, killed or failed save leaves the branch as it was.
 *
 * <p>Blocks the calling thread until done; interrupt it to cancel.
 */
public final class Saver {
    private static final System.Logger LOG = System.getLogger(Saver.class.getName());
    private static final byte[] BUP_SUFFIX = {'.', 'b', 'u', 'p'};
    private static final byte[] BUPL_SUFFIX = {'.', 'b', 'u', 'p', 'l'};
    private static final byte[] BUPM = {'.', 'b', 'u', 'p', 'm'};

    private final ProgressListener listener;
    private final ObjectInserter inserter;
    private final HashSplitter splitter = new HashSplitter(Chunkers.best());
    private final ChunkTreeBuilder builder;
    private final byte[] id = new byte[ObjectId.LENGTH];
    private final Map<String, byte[]> hardlinks = new HashMap<>();
    private long files;
    private long bytes;
    private long skipped;

    private Saver(ObjectInserter inserter, ProgressListener listener) {
        this.inserter = inserter;
        this.listener = listener;
        this.builder = new ChunkTreeBuilder(inserter);
    }

    /**
     * Saves {@code request.sources()} as a new snapshot on branch {@code request.name()}.
     *
     * @throws NoSuchFileException if a source does not exist (nothing is written then)
     * @throws InterruptedException if the calling thread was interrupted; the branch is unchanged
     */
    public static SaveResult save(Repository repo, SaveRequest request, ProgressListener listener)
            throws IOException, InterruptedException {
        if (!Repository.isValidBranchName(request.name())) {
            throw new IllegalArgumentException("invalid backup set name '" + request.name()
                    + "': use letters, digits, '-', '_' or '.', not starting with '.' or '-'");
        }
        String ref = "refs/heads/" + request.name();
        VirtualDir root = SnapshotLayout.plan(request.sources(), request.rewrite());
        long[] totals = SnapshotLayout.measure(request.sources());
        listener.started(totals[0], totals[1]);
        Optional<ObjectId> parent = repo.readRef(ref);
        try (ObjectInserter inserter = repo.newInserter()) {
            inserter.setCompression(request.compression());
            Saver saver = new Saver(inserter, listener);
            ObjectId tree;
            try {
                tree = saver.saveDir(root, null);
            } catch (InterruptedIOException e) {
                throw interrupted(e);
            }
            String commit = CommitWriter.format(tree, parent.orElse(null), request.date(), "save", request.argv());
            ObjectId commitId = inserter.insert(ObjectType.COMMIT, commit);
            checkInterrupted();
            inserter.flush();
            repo.updateRef(ref, parent, commitId);
            refreshLookupFiles(repo);
            LOG.log(System.Logger.Level.INFO, "saved {0} files, {1} bytes into {2} as {3}", saver.files, saver.bytes,
                    ref, commitId.name());
            return new SaveResult(commitId, tree, saver.files, saver.bytes, inserter.bytesWritten(), saver.skipped);
        }
    }

    /**
     * Updates the midx and bloom files after a save, as bup does. They only speed up later lookups, so a
     * failure here (a full disk, say) is logged and does not undo the save.
     */
    static void refreshLookupFiles(Repository repo) {
        try {
            repo.refreshLookupFiles();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Saved, but could not update the lookup files in {0}: {1}",
                    repo.packDirectory(), e.getMessage());
        }
    }

    static InterruptedException interrupted(Exception cause) {
        InterruptedException ie = new InterruptedException("save interrupted");
        ie.initCause(cause);
        return ie;
    }

    static void checkInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("save interrupted");
        }
    }

    private record Child(byte[] name, Path path, VirtualDir virtual) { }

    /**
     * Writes one directory's tree (and everything below it); returns the tree id.
     *
     * @param known the directory's metadata when the caller has already read it, else null
     */
    private ObjectId saveDir(VirtualDir dir, Metadata known) throws IOException, InterruptedException {
        checkInterrupted();
        Metadata own = known != null ? known
                : dir.metadataSource() == null ? Metadata.empty() : readOwnMetadata(dir.metadataSource());
        TreeMap<byte[], Child> children = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<byte[], VirtualDir> e : dir.children().entrySet()) {
            children.put(e.getKey(), new Child(e.getKey(), null, e.getValue()));
        }
        for (Map.Entry<byte[], Path> e : dir.files().entrySet()) {
            children.putIfAbsent(e.getKey(), new Child(e.getKey(), e.getValue(), null));
        }
        for (Path real : dir.contentsOf()) {
            listInto(real, children);
        }

        TreeFormatter tree = new TreeFormatter();
        ByteArrayOutputStream bupm = new ByteArrayOutputStream();
        bupm.writeBytes(own.encode());
        for (Child c : children.values()) {
            if (c.virtual() != null) {
                ObjectId sub = saveDir(c.virtual(), null);
                tree.add(Tree.MODE_TREE, mangle(c.name(), false), sub);
                continue;
            }
            Metadata m;
            try {
                m = Metadata.fromPath(c.path());
            } catch (NoSuchFileException e) {
                skip(c.path(), "vanished during the save; skipped");
                continue;
            } catch (IOException e) {
                skip(c.path(), "cannot read its metadata (" + reason(e) + "); skipped");
                continue;
            }
            if (m.isDirectory()) {
                ObjectId sub = saveDir(VirtualDir.real(c.path()), m);
                tree.add(Tree.MODE_TREE, mangle(c.name(), false), sub);
                continue;
            }
            Metadata saved = saveLeaf(c.path(), m, tree, c.name());
            if (saved != null) {
                bupm.writeBytes(saved.encode());
            }
        }
        int bupmMode = splitBytes(bupm.toByteArray());
        tree.add(bupmMode, BUPM, ObjectId.fromBytes(id, 0));
        if (!dir.contentsOf().isEmpty()) {
            // Only directories read from disk count, as in the total measured up front; ancestors do not.
            files++;
            listener.progress(bytes, files);
        }
        return inserter.insert(ObjectType.TREE, tree.format());
    }

    private Metadata readOwnMetadata(Path dir) throws IOException {
        try {
            return Metadata.fromPath(dir);
        } catch (NoSuchFileException e) {
            skip(dir, "vanished during the save; saved without its metadata");
            return Metadata.empty();
        }
    }

    private void listInto(Path dir, TreeMap<byte[], Child> children) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                byte[] name = FileNames.nameBytes(p);
                children.putIfAbsent(name, new Child(name, p, null));
            }
        } catch (NoSuchFileException e) {
            skip(dir, "vanished during the save; saved as empty");
        } catch (AccessDeniedException e) {
            skip(dir, "permission denied reading the directory; saved as empty (run as a user who can read it)");
        }
    }

    /** Saves a non-directory; returns its metadata as recorded, or null if it was skipped. */
    private Metadata saveLeaf(Path path, Metadata m, TreeFormatter tree, byte[] name)
            throws IOException, InterruptedException {
        checkInterrupted();
        int mode;
        if (m.isRegularFile()) {
            long before = bytes;
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                listener.working(path.toString());
                builder.reset();
                splitter.split(in, builder, n -> {
                    bytes += n;
                    listener.progress(bytes, files);
                });
                mode = builder.finishBlobOrTree(id);
            } catch (NoSuchFileException e) {
                skip(path, "vanished during the save; skipped");
                return null;
            } catch (AccessDeniedException e) {
                skip(path, "permission denied; skipped (run as a user who can read it)");
                return null;
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (isDiskFull(e)) {
                    throw e;
                }
                skip(path, "read failed (" + reason(e) + "); skipped");
                bytes = before;
                return null;
            }
            long read = builder.bytes();
            if (changedSince(path, m, read)) {
                skip(path, "changed while it was being read; saved as read (run the save again for a consistent copy)");
            }
            m = m.withSize(read);
        } else if (m.isSymlink()) {
            byte[] target = m.symlinkTarget();
            inserter.insert(ObjectType.BLOB, target, 0, target.length, id, 0);
            mode = Tree.MODE_SYMLINK;
            m = m.withSize(target.length);
        } else {
            // Fifos, sockets and devices: an empty blob; their type lives in .bupm only.
            inserter.insert(ObjectType.BLOB, new byte[0], 0, 0, id, 0);
            mode = Tree.MODE_FILE;
        }
        if (m.linkCount() > 1) {
            String key = m.device() + ":" + m.inode();
            byte[] first = hardlinks.computeIfAbsent(key, k -> FileNames.pathBytes(path.toAbsolutePath()));
            m = m.withHardlinkTarget(first);
        }
        tree.add(mode, mangle(name, mode == Tree.MODE_TREE), ObjectId.fromBytes(id, 0));
        files++;
        listener.progress(bytes, files);
        return m;
    }

    /** True when size, mtime or ctime differ from what was read: one lstat, without Metadata's xattr and ACL calls. */
    private static boolean changedSince(Path path, Metadata before, long read) {
        try {
            Map<String, Object> st = Files.readAttributes(path, "unix:size,ctime,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            return (Long) st.get("size") != read
                    || ((FileTime) st.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS) != before.mtimeNanos()
                    || ((FileTime) st.get("ctime")).to(TimeUnit.NANOSECONDS) != before.ctimeNanos();
        } catch (IOException e) {
            return true;
        }
    }

    /** Splits in-memory bytes (a .bupm stream) into a blob or chunk tree; the id lands in {@link #id}. */
    private int splitBytes(byte[] data) throws IOException {
        builder.reset();
        splitter.split(new ByteArrayInputStream(data), builder, null);
        return builder.finishBlobOrTree(id);
    }

    private void skip(Path path, String what) {
        skipped++;
        listener.warning(path + ": " + what);
    }

    static boolean isDiskFull(IOException e) {
        return String.valueOf(e.getMessage()).contains("No space left on device");
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** bup's {@code mangle_name}: chunked files get {@code .bup}; names that look mangled get {@code .bupl}. */
    static byte[] mangle(byte[] name, boolean chunkedFile) {
        if (chunkedFile) {
            return concat(name, BUP_SUFFIX);
        }
        if (endsWith(name, BUP_SUFFIX, 0) || endsWith(name, BUP_SUFFIX, 1)) {
            return concat(name, BUPL_SUFFIX);
        }
        return name;
    }

    private static boolean endsWith(byte[] name, byte[] suffix, int dropLast) {
        int end = name.length - dropLast;
        return end >= suffix.length && Arrays.equals(name, end - suffix.length, end, suffix, 0, suffix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static List<Path> normalize(List<Path> sources) {
        List<Path> out = new ArrayList<>();
        for (Path p : sources) {
            out.add(p.toAbsolutePath().normalize());
        }
        return out;
    }
}
