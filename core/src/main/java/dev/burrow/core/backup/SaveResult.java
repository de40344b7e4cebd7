package dev.burrow.core.backup;

import dev.burrow.core.store.ObjectId;

/**
 * The outcome of a save.
 *
 * @param commit   the new snapshot's commit, now the tip of the branch
 * @param tree     its root tree
 * @param files    files and directories saved
 * @param bytes    content bytes read
 * @param newBytes bytes of all objects this save added to the repository (chunks, trees, metadata, the commit),
 *                 after deduplication and before compression
 * @param skipped  paths skipped with a warning (unreadable, vanished); non-zero makes the CLI exit non-zero
 * @param unchanged regular files not read because the filesystem index showed them unchanged and stored
 */
public record SaveResult(ObjectId commit, ObjectId tree, long files, long bytes, long newBytes, long skipped,
                         long unchanged) {
    /** A result without files taken from the index. */
    public SaveResult(ObjectId commit, ObjectId tree, long files, long bytes, long newBytes, long skipped) {
        this(commit, tree, files, bytes, newBytes, skipped, 0);
    }
}
