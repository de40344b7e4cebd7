package dev.burrow.core.backup;

import dev.burrow.core.store.ObjectId;

/**
 * The outcome of a split.
 *
 * @param tree   the chunk tree (bup's {@code split -t}), which holds the data as {@code data} or {@code data.bup}
 * @param data   the object holding the content itself: a blob, or the top of the chunk tree
 * @param commit the commit, or null when no branch was named
 * @param bytes  bytes read
 */
public record SplitResult(ObjectId tree, ObjectId data, ObjectId commit, long bytes) {
}
