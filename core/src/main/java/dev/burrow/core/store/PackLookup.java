package dev.burrow.core.store;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One memory-mapped file that answers "is this object in these packs?": an {@code .idx} (one pack) or a
 * {@code .midx} (many). Read-only once open, so safe for any number of threads; closing must not race with
 * lookups.
 */
sealed interface PackLookup extends AutoCloseable permits PackIndexFile, MidxFile {
    Path path();

    /** Number of object ids (a midx counts an object once per idx that has it). */
    long count();

    boolean contains(byte[] id, int off);

    /** The mapped file. */
    MemorySegment segment();

    /** Offset in {@link #segment()} of the {@code i}th id in sorted order, {@code 0 <= i < count()}. */
    long idOffset(long i);

    @Override
    void close();
}
