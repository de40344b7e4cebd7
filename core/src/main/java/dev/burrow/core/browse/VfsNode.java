package dev.burrow.core.browse;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.ObjectId;

/**
 * One item of bup's virtual filesystem: the root, a backup set, a snapshot, or something inside a
 * snapshot. Made by {@link Vfs}; immutable and thread safe.
 *
 * <p>Names are raw bytes as stored; {@link #displayName()} and {@link #path()} decode them as UTF-8 (with
 * replacement characters) for display only.
 */
public final class VfsNode {
    /** What a node is. */
    public enum Kind {
        /** {@code /}: lists the backup sets and {@code .tag}. */
        ROOT,
        /** {@code /.tag}: lists the tags. */
        TAGS,
        /** {@code /NAME}: a backup set (a branch); lists its snapshots and {@code latest}. */
        BRANCH,
        /** {@code /NAME/DATE}, {@code /NAME/latest} or a tag naming a commit: the commit's root tree. */
        SNAPSHOT,
        DIRECTORY,
        /** A regular file, stored as one blob or as a chunk tree. */
        FILE,
        SYMLINK,
        FIFO,
        SOCKET,
        /** A character or block device; see {@link Metadata#isCharDevice()}. */
        DEVICE;

        /** True for kinds that {@link Vfs#list} accepts. */
        public boolean isContainer() {
            return this == ROOT || this == TAGS || this == BRANCH || this == SNAPSHOT || this == DIRECTORY;
        }
    }

    /** What a resolved path selects, from its last component (bup restore semantics). */
    public enum Selection {
        /** The item itself: restoring {@code /s/latest/dir} gives {@code DEST/dir}. */
        ITEM,
        /** A trailing {@code /}: the directory's contents go into DEST; DEST's metadata is left alone. */
        CONTENTS,
        /** A trailing {@code /.}: the contents go into DEST, and the directory's metadata is applied to DEST. */
        CONTENTS_AND_METADATA
    }

    /** {@code 0100644}: bup's mode for files without metadata. */
    public static final int DEFAULT_FILE_MODE = 0100644;
    /** {@code 040755}: bup's mode for directories without metadata. */
    public static final int DEFAULT_DIR_MODE = 040755;
    /** {@code 0120755}: bup's mode for symlinks without metadata. */
    public static final int DEFAULT_SYMLINK_MODE = 0120755;

    private final String path;
    private final byte[] name;
    private final Kind kind;
    private final int gitMode;
    private final ObjectId id;
    private final ObjectId commitId;
    private final boolean chunked;
    private final Metadata metadata;
    private final long size;
    private final byte[] symlinkTarget;
    private final String snapshotName;
    private final Selection selection;

    VfsNode(String path, byte[] name, Kind kind, int gitMode, ObjectId id, ObjectId commitId, boolean chunked,
            Metadata metadata, long size, byte[] symlinkTarget, String snapshotName, Selection selection) {
        this.path = Objects.requireNonNull(path);
        this.name = name.clone();
        this.kind = Objects.requireNonNull(kind);
        this.gitMode = gitMode;
        this.id = id;
        this.commitId = commitId;
        this.chunked = chunked;
        this.metadata = metadata;
        this.size = size;
        this.symlinkTarget = symlinkTarget == null ? null : symlinkTarget.clone();
        this.snapshotName = snapshotName;
        this.selection = Objects.requireNonNull(selection);
    }

    VfsNode withSelection(Selection s) {
        return s == selection ? this : new VfsNode(path, name, kind, gitMode, id, commitId, chunked, metadata, size,
                symlinkTarget, snapshotName, s);
    }

    VfsNode withMetadata(Metadata m) {
        return new VfsNode(path, name, kind, gitMode, id, commitId, chunked, m, size, symlinkTarget, snapshotName,
                selection);
    }

    VfsNode withPath(String p, byte[] n) {
        return new VfsNode(p, n, kind, gitMode, id, commitId, chunked, metadata, size, symlinkTarget, snapshotName,
                selection);
    }

    /** The full VFS path, for display: {@code /set/latest/home/u}. */
    public String path() {
        return path;
    }

    /** A copy of the raw name bytes (demangled: no {@code .bup}/{@code .bupl} suffix). Empty for the root. */
    public byte[] name() {
        return name.clone();
    }

    /** True when the raw name equals {@code other}. */
    boolean nameEquals(byte[] other) {
        return java.util.Arrays.equals(name, other);
    }

    /** The name decoded as UTF-8 with replacement characters: for display only. */
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The git mode of the tree entry ({@code 040000} for directories and chunked files, {@code 0100644},
     * {@code 0120000}), or 0 for the root, {@code .tag}, backup sets and snapshots.
     */
    public int gitMode() {
        return gitMode;
    }

    /**
     * The object holding the content: the tree of a directory or snapshot, the blob or chunk tree of a
     * file, the blob of a symlink, the tip commit of a backup set; null for the root and {@code .tag}.
     */
    public ObjectId id() {
        return id;
    }

    /** The commit of a snapshot, else null. */
    public ObjectId commitId() {
        return commitId;
    }

    /** True when a file's content is a chunk tree ({@code x.bup}) rather than one blob. */
    public boolean isChunked() {
        return chunked;
    }

    /**
     * The metadata from {@code .bupm}, or null when it was not loaded here: directories listed by their
     * parent carry theirs in their own tree; {@link Vfs#metadata} loads it. An empty Metadata means the
     * repository has none for this item (no {@code .bupm}, or an empty record).
     */
    public Metadata metadataIfLoaded() {
        return metadata;
    }

    /**
     * The {@code st_mode} (type and permission bits): from the metadata when there is some, else bup's
     * defaults ({@link #DEFAULT_FILE_MODE}, {@link #DEFAULT_DIR_MODE}, {@link #DEFAULT_SYMLINK_MODE}).
     */
    public int mode() {
        if (metadata != null && !metadata.isEmpty()) {
            return metadata.mode();
        }
        return switch (kind) {
            case FILE -> DEFAULT_FILE_MODE;
            case SYMLINK -> DEFAULT_SYMLINK_MODE;
            default -> DEFAULT_DIR_MODE;
        };
    }

    /** Content size in bytes for files, target length for symlinks, 0 for everything else. */
    public long size() {
        return size;
    }

    /** A copy of a symlink's target bytes, else null. */
    public byte[] symlinkTarget() {
        return symlinkTarget == null ? null : symlinkTarget.clone();
    }

    /**
     * For snapshots, the {@code YYYY-MM-DD-HHMMSS[-N]} name of the commit; for {@code latest} this is the
     * name of the tip's snapshot, for a tag it is the tag name. Null for other kinds.
     */
    public String snapshotName() {
        return snapshotName;
    }

    /** What the path selected; see {@link Selection}. Always {@link Selection#ITEM} for listed nodes. */
    public Selection selection() {
        return selection;
    }

    /** True when the path ended in {@code /} or {@code /.}: the caller wants the directory's contents. */
    public boolean contentsOnly() {
        return selection != Selection.ITEM;
    }

    @Override
    public String toString() {
        return kind + " " + path + (id == null ? "" : " " + id.abbreviate(12));
    }
}
