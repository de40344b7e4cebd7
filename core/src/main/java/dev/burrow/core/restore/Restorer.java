package dev.burrow.core.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.burrow.core.browse.NoSuchPathException;
import dev.burrow.core.browse.Vfs;
import dev.burrow.core.browse.VfsNode;
import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.ApplyOptions;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.Repository;

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
     */

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

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
        try (ObjectReader reader = repo.newReader()) {
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
            Run run = new Run(vfs, options, listener);
            listener.started(-1, -1);
            for (VfsNode n : nodes) {
                if (n.contentsOnly()) {
                    VfsNode dir = run.restoreChildren(n, destination);
                    if (n.selection() == VfsNode.Selection.CONTENTS_AND_METADATA) {
                        run.applyMetadata(dir.metadataIfLoaded(), destination);
                    }
                } else {
                    Path target = run.childPath(destination, n);
                    if (target != null) {
                        run.restore(n, target);
                    }
                }
            }
            return new RestoreResult(run.files, run.bytes, run.warnings);
        }
    }

    /** The state of one restore. Not thread safe. */
    private static final class Run {
        private final Vfs vfs;
        private final ProgressListener listener;
        private final ApplyOptions apply;
        private final byte[] buffer = new byte[BUFFER_SIZE];
        /** Hardlink target (source path bytes) to the files already written for it. */
        private final Map<ByteBuffer, List<Written>> hardlinks = new HashMap<>();
        long files;
        long bytes;
        long warnings;

        private record Written(Path path, ObjectId id, Metadata metadata) { }

        Run(Vfs vfs, RestoreOptions options, ProgressListener listener) {
            this.vfs = vfs;
            this.listener = listener;
            ApplyOptions defaults = ApplyOptions.defaults(this::warn);
            this.apply = new ApplyOptions(options.restoreOwnership() && defaults.restoreOwnership(),
                    options.numericIds(), this::warn);
        }

        void warn(String message) {
            warnings++;
            listener.warning(message);
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
                    clear(target, true);
                    Files.createDirectory(target, OWNER_ONLY_DIR);
                    counted();
                    VfsNode dir = restoreChildren(node, target);
                    applyMetadata(dir.metadataIfLoaded(), target);
                }
                case FILE -> restoreFile(node, target);
                case SYMLINK -> {
                    clear(target, false);
                    NativeSymlink.create(node.symlinkTarget(), target);
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

        private void restoreFile(VfsNode node, Path target) throws IOException {
            Metadata m = node.metadataIfLoaded();
            if (m != null && !m.isEmpty() && m.hardlinkTarget() != null && linkToEarlier(node, m, target)) {
                counted();
                return;
            }
            clear(target, false);
            try (InputStream in = vfs.openContent(node);
                    OutputStream out = Channels.newOutputStream(Files.newByteChannel(target,
                            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY_FILE))) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    bytes += n;
                    listener.progress(bytes, files);
                }
            }
            counted();
            applyMetadata(m, target);
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

        private void counted() {
            files++;
            listener.progress(bytes, files);
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
