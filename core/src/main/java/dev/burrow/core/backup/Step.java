package dev.burrow.core.backup;

import dev.burrow.core.meta.Metadata;
import java.nio.file.Path;

/**
 * One step of the walk, in the order a serial save would take it; the writer replays them to build the
 * trees. A regular file's content follows separately, in the same order, in the chunk stream.
 */
final class Step {
    enum Kind {
        /**
         * A directory begins; {@code meta} is its own metadata, {@code name} null for the root, and
         * {@code countsAsFile} as for its {@link #DIR_END}.
         */
        DIR_START,
        /** The directory begun last ends; {@code countsAsFile} when it was read from disk. */
        DIR_END,
        /** A regular file whose chunks come through the chunk stream. */
        CONTENT,
        /** A symlink, fifo, socket or device: stored from its metadata alone. */
        LEAF,
        /** A regular file the filesystem index shows unchanged and stored as {@code id} with {@code gitMode}. */
        UNCHANGED,
        /**
         * A whole directory in which nothing changed, stored as the tree {@code id} the index recorded for it
         * (no DIR_START, DIR_END or steps for its contents); {@code countsAsFile} as for a {@link #DIR_END}.
         */
        REUSED,
        /** The walk is over. */
        DONE
    }

    static final Step DONE = new Step(Kind.DONE, null, null, null, false);

    final Kind kind;
    final byte[] name;
    final Path path;
    final Metadata meta;
    final boolean countsAsFile;
    final byte[] id;
    final int gitMode;

    Step(Kind kind, byte[] name, Path path, Metadata meta, boolean countsAsFile) {
        this(kind, name, path, meta, countsAsFile, null, 0);
    }

    Step(Kind kind, byte[] name, Path path, Metadata meta, boolean countsAsFile, byte[] id, int gitMode) {
        this.kind = kind;
        this.name = name;
        this.path = path;
        this.meta = meta;
        this.countsAsFile = countsAsFile;
        this.id = id;
        this.gitMode = gitMode;
    }
}
