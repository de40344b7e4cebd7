package dev.burrow.core.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.burrow.core.browse.NoSuchPathException;
import dev.burrow.core.browse.Vfs;
import dev.burrow.core.browse.VfsNode;
import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.ApplyOptions;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.meta.OpenFile;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.CorruptObjectException;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.PackLocator;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;

/**
 * {@code bup restore -C DEST PATH...}: recreates saved files, directories, symlinks, hardlinks, fifos,
 * sockets and devices with their metadata.
 */
public final class Restorer {
    /*
     * Follows bup 0.33.7's cmd/restore.py. Each entry is created fresh (an existing non-directory, or an
     * empty directory, at its place is removed first; symlinks are removed, never followed), content is
     * streamed, and metadata is applied after the content -- for a directory, after all its children, so
     * that its times and a read-only mode do not get in the way. Hardlinks: bup records, for every member
     * of a hardlink set, the source path of the first member. The first restored file with a given
     * target is written normally; a later one becomes a hard link to an earlier one when their object
     * ids and common metadata fields (Metadata.sameContentFields) match and that file still exists.
     *
     * Content is not streamed file by file: the walk (this thread) creates directories, symlinks,
     * special files and hardlinks itself, and hands each regular file -- how to create it, and its blobs
     * with their offsets in the file, from the chunk tree's hex names -- to a ContentWriter, which reads
     * the blobs in pack order and writes them on a pool of threads, creating the file at its first write
     * and applying its metadata through the same open file once its last chunk is written. Directory
     * metadata waits until everything handed over so far is complete (ContentWriter.flush), and is applied
     * children first.
     */

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /** Directories whose metadata waits for a full flush; more trigger one. */
    private static final int MAX_PENDING_DIRECTORIES = 4 * 1024;

    private Restorer() {
    }

    /**
     * Restores each VFS path into {@code destination}, which is created if needed.
     *
     * <ul>
     *   <li>{@code /SET/latest}, {@code /SET/DATE}: the snapshot's root as {@code DEST/latest} or
     *       {@code DEST/DATE};</li>
     *   <li>{@code /SET/latest/a/b}: {@code DEST/b}, whatever {@code b} is;</li>
     *   <li>{@code /SET/latest/a/b/.}: the contents of {@code b} into DEST, and {@code b}'s metadata
     *       applied to DEST; {@code /SET/latest/a/b/} the same without the metadata.</li>
     * </ul>
     *
     * <p>All paths are resolved before anything is written. Ownership is restored only when
     * {@link RestoreOptions#restoreOwnership()} is set and the process runs as root. Blocks; cancel by
     * interrupting the calling thread, which is checked between entries. Entries already written stay.
     *
     * @throws NoSuchPathException if a path does not exist or names the root, {@code .tag} or a backup set
     * @throws DirectoryNotEmptyException if a directory to restore exists in DEST and is not empty
     * @throws InterruptedException if the thread was interrupted
     */
    public static RestoreResult restore(Repository repo, List<String> vfsPaths, Path destination,
            RestoreOptions options, ProgressListener listener) throws IOException, InterruptedException {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        if (vfsPaths.isEmpty()) {
            throw new IllegalArgumentException("no paths to restore");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("restore interrupted before it started");
        }
        try (ObjectReader reader = repo.newReader()) {
            PackLocator packs = reader.packs();
            Vfs vfs = new Vfs(repo, reader);
            List<VfsNode> nodes = new ArrayList<>(vfsPaths.size());
            for (String p : vfsPaths) {
                VfsNode n = vfs.resolve(p);
                switch (n.kind()) {
                    case ROOT, TAGS, BRANCH -> throw new NoSuchPathException(p, "'" + p + "' does not name a"
                            + " snapshot; restore one such as /SET/latest, or a path inside it");
                    default -> nodes.add(n);
                }
            }
            Files.createDirectories(destination);
            listener.started(-1, -1);
            try (Run run = new Run(repo, vfs, reader, packs, options, listener)) {
                for (VfsNode n : nodes) {
                    if (n.contentsOnly()) {
                        VfsNode dir = run.restoreChildren(n, destination);
                        if (n.selection() == VfsNode.Selection.CONTENTS_AND_METADATA) {
                            run.directoryDone(dir.metadataIfLoaded(), destination);
                        }
                    } else {
                        Path target = run.childPath(destination, n);
                        if (target != null) {
                            run.restore(n, target);
                        }
                    }
                    // Paths given together may name the same destination entry: finish one before the next.
                    run.flush();
                }
                run.reportProgress();
                return new RestoreResult(run.files.get(), run.bytes.get(), run.warnings.get());
            }
        } catch (ClosedByInterruptException e) {
            InterruptedException ie = new InterruptedException("restore interrupted");
            ie.initCause(e);
            throw ie;
        }
    }

    /**
     * The state of one restore. The walk runs on the caller's thread; the content writer's threads call
     * back into the counters, {@link #warn} and {@link #applyMetadata}.
     */
    private static final class Run implements AutoCloseable, ContentWriter.Sink {
        private final Vfs vfs;
        private final ObjectReader reader;
        private final ProgressListener listener;
        private final ApplyOptions apply;
        private final ContentWriter writer;
        /** Hardlink target (source path bytes) to the files already written for it. Walk thread only. */
        private final Map<ByteBuffer, List<Written>> hardlinks = new HashMap<>();
        /** Directories whose children are all created, with their metadata: applied after the next flush. */
        private final List<PendingDirectory> directories = new ArrayList<>();
        private final ReentrantLock reporting = new ReentrantLock();
        final AtomicLong files = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong warnings = new AtomicLong();

        private record Written(Path path, ObjectId id, Metadata metadata) { }

        private record PendingDirectory(Metadata metadata, Path path) { }

        Run(Repository repo, Vfs vfs, ObjectReader reader, PackLocator packs, RestoreOptions options,
                ProgressListener listener) {
            this.vfs = vfs;
            this.reader = reader;
            this.listener = listener;
            ApplyOptions defaults = ApplyOptions.defaults(this::warn);
            this.apply = new ApplyOptions(options.restoreOwnership() && defaults.restoreOwnership(),
                    options.numericIds(), this::warn);
            this.writer = new ContentWriter(repo, packs, this);
        }

        void warn(String message) {
            warnings.incrementAndGet();
            listener.warning(message);
        }

        @Override
        public void wrote(long n) {
            bytes.addAndGet(n);
            reportProgressIfIdle();
        }

        /** Serialized, so the listener sees both counts only grow. */
        void reportProgress() {
            reporting.lock();
            try {
                listener.progress(bytes.get(), files.get());
            } finally {
                reporting.unlock();
            }
        }

        /**
         * Reports unless another thread is reporting: the writer threads report after every buffer, and
         * waiting for each other's turn made them hand the lock back and forth through the kernel. A
         * skipped count goes out with the next report; the walk reports the final counts.
         */
        private void reportProgressIfIdle() {
            if (reporting.tryLock()) {
                try {
                    listener.progress(bytes.get(), files.get());
                } finally {
                    reporting.unlock();
                }
            }
        }

        /** Writes all content handed over so far, then applies the metadata of finished directories. */
        void flush() throws IOException, InterruptedException {
            writer.flush();
            for (PendingDirectory d : directories) {
                applyMetadata(d.metadata, d.path);
            }
            directories.clear();
        }

        /** A directory's children are all created: its metadata goes on once their content is written. */
        void directoryDone(Metadata m, Path dir) throws IOException, InterruptedException {
            directories.add(new PendingDirectory(m, dir));
            if (directories.size() >= MAX_PENDING_DIRECTORIES) {
                flush();
            }
        }

        @Override
        public void close() {
            writer.close();
        }

        /**
         * {@code dir/name} for a node, or null (after a warning) when its name cannot be a single path
         * component here: empty, {@code .}, {@code ..}, or containing {@code /} -- a crafted repository must
         * not write outside DEST.
         */
        Path childPath(Path dir, VfsNode node) {
            try {
                return FileNames.resolve(dir, node.name());
            } catch (IllegalArgumentException e) {
                warn(node.path() + ": " + e.getMessage() + ", skipped");
                return null;
            }
        }

        /** Restores the children of a directory or snapshot into {@code dir}; returns the directory node. */
        VfsNode restoreChildren(VfsNode node, Path dir) throws IOException, InterruptedException {
            Vfs.Listing listing = vfs.listWithMetadata(node);
            for (VfsNode child : listing.children()) {
                Path target = childPath(dir, child);
                if (target != null) {
                    restore(child, target);
                }
            }
            return listing.directory();
        }

        void restore(VfsNode node, Path target) throws IOException, InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("restore interrupted before " + node.path());
            }
            listener.working(node.path());
            switch (node.kind()) {
                case SNAPSHOT, DIRECTORY -> {
                    createFresh(target, true, () -> Files.createDirectory(target, OWNER_ONLY_DIR));
                    counted();
                    VfsNode dir = restoreChildren(node, target);
                    directoryDone(dir.metadataIfLoaded(), target);
                }
                case FILE -> restoreFile(node, target);
                case SYMLINK -> {
                    createFresh(target, false, () -> {
                        NativeSymlink.create(node.symlinkTarget(), target);
                        return target;
                    });
                    counted();
                    applyMetadata(node.metadataIfLoaded(), target);
                }
                case FIFO, SOCKET, DEVICE -> {
                    clear(target, false);
                    Metadata m = node.metadataIfLoaded();
                    try {
                        m.createSpecial(target);
                    } catch (IOException e) {
                        warn(node.path() + ": cannot create " + node.kind().name().toLowerCase(java.util.Locale.ROOT)
                                + " " + target + ": " + e.getMessage());
                        return;
                    }
                    counted();
                    applyMetadata(m, target);
                }
                default -> throw new IllegalStateException("cannot restore " + node);
            }
        }

        private void restoreFile(VfsNode node, Path target) throws IOException, InterruptedException {
            Metadata m = node.metadataIfLoaded();
            if (m != null && !m.isEmpty() && m.hardlinkTarget() != null && linkToEarlier(node, m, target)) {
                counted();
                return;
            }
            // A file others may hard link to is created now, so that they find it; any other at its first write.
            boolean linkable = m != null && !m.isEmpty() && m.hardlinkTarget() != null;
            ContentWriter.Target t = writer.start(target, node.path(), () -> createFresh(target, false,
                    () -> OpenFile.createNew(target)), linkable, file -> {
                counted();
                applyMetadata(m, file);
            });
            ObjectId id = node.id();
            if (node.isChunked()) {
                addChunks(t, id, 0);
            } else if (!id.equals(ObjectId.EMPTY_BLOB)) {
                writer.add(t, id, 0);
            }
            writer.seal(t);
        }

        /** Hands over the leaves of a chunk tree (§4): entries are named by their hex offset in the tree. */
        private void addChunks(ContentWriter.Target t, ObjectId treeId, long base)
                throws IOException, InterruptedException {
            Tree tree = reader.tree(treeId);
            for (Tree.Entry e : tree) {
                if (e.isGitlink()) {
                    continue;
                }
                long offset = base + hexOffset(treeId, e);
                if (e.isTree()) {
                    addChunks(t, e.id(), offset);
                } else if (!e.id().equals(ObjectId.EMPTY_BLOB)) {
                    writer.add(t, e.id(), offset);
                }
            }
        }

        private static long hexOffset(ObjectId tree, Tree.Entry e) throws CorruptObjectException {
            int n = e.nameLength();
            if (n == 0 || n > 15) {
                throw new CorruptObjectException(tree, "chunk tree entry is not a hex offset: " + e.displayName());
            }
            long v = 0;
            for (int i = 0; i < n; i++) {
                int d = Character.digit(e.nameByte(i), 16);
                if (d < 0) {
                    throw new CorruptObjectException(tree, "chunk tree entry is not a hex offset: " + e.displayName());
                }
                v = v << 4 | d;
            }
            return v;
        }

        /** bup's hardlink_if_possible: true when {@code target} was made a hard link to an earlier file. */
        private boolean linkToEarlier(VfsNode node, Metadata m, Path target) throws IOException {
            ByteBuffer key = ByteBuffer.wrap(m.hardlinkTarget());
            List<Written> earlier = hardlinks.computeIfAbsent(key, k -> new ArrayList<>(2));
            for (Written w : earlier) {
                if (w.id.equals(node.id()) && w.metadata.sameContentFields(m)
                        && Files.exists(w.path, LinkOption.NOFOLLOW_LINKS)) {
                    clear(target, false);
                    try {
                        Files.createLink(target, w.path);
                        return true;
                    } catch (IOException e) {
                        warn(node.path() + ": cannot hard link " + target + " to " + w.path + " (" + e.getMessage()
                                + "); writing a copy");
                    }
                }
            }
            earlier.add(new Written(target, node.id(), m));
            return false;
        }

        void applyMetadata(Metadata m, Path target) {
            if (m == null || m.isEmpty()) {
                return; // nothing recorded (no .bupm, or a grafted directory): keep what creation gave
            }
            try {
                m.applyTo(target, apply);
            } catch (IOException e) {
                warn(target + ": metadata not fully restored: " + e.getMessage());
            }
        }

        /** {@link #applyMetadata(Metadata, Path)} for a regular file just written, through its open file. */
        void applyMetadata(Metadata m, OpenFile file) {
            if (m == null || m.isEmpty()) {
                return;
            }
            try {
                m.applyTo(file, apply);
            } catch (IOException e) {
                warn(file.path() + ": metadata not fully restored: " + e.getMessage());
            }
        }

        private void counted() {
            files.incrementAndGet();
            reportProgressIfIdle();
        }

        /** Creates an entry where nothing may be in the way; {@code create} fails if something is. */
        @FunctionalInterface
        private interface Creation<T> {
            T create() throws IOException;
        }

        /**
         * Creates {@code target}, first making room with {@link #clear} only if something is in its place.
         * Creating first (exclusively, never following a symlink) spares the usual case, a new entry in a
         * directory this restore made, a failed lookup and its exception per entry.
         */
        private static <T> T createFresh(Path target, boolean forDirectory, Creation<T> create) throws IOException {
            try {
                return create.create();
            } catch (FileAlreadyExistsException e) {
                clear(target, forDirectory);
                return create.create();
            }
        }

        /**
         * Makes room for a new entry at {@code target} as bup's create_path does: an existing directory
         * is removed only if empty, anything else (including a symlink, which is never followed) is deleted.
         */
        private static void clear(Path target, boolean forDirectory) throws IOException {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(target);
                } catch (DirectoryNotEmptyException e) {
                    throw new DirectoryNotEmptyException(target + " (refusing to overwrite a non-empty directory"
                            + (forDirectory ? "; restore into an empty destination" : "") + ")");
                }
            } else {
                Files.delete(target);
            }
        }
    }
}
