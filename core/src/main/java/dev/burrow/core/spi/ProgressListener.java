package dev.burrow.core.spi;

/**
 * Receives progress from a long-running engine operation (save, restore, split, join, fsck).
 *
 * <p>Calls come from the engine's own threads, possibly several at once, and often (up to once per
 * chunk), so implementations must be thread safe and cheap: keep the latest values and render them
 * elsewhere. Cancellation is by interrupting the thread that called the engine, not through this
 * interface.
 */
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() { };

    /**
     * The operation has started.
     *
     * @param totalBytes bytes the operation expects to process, or -1 if unknown
     * @param totalFiles files it expects to process, or -1 if unknown
     */
    default void started(long totalBytes, long totalFiles) { }

    /**
     * The expected totals, when they become known only after {@link #started} (which then said -1): a save
     * measures its sources while it already works. Arrives at most once, before the operation returns.
     */
    default void totalsKnown(long totalBytes, long totalFiles) { }

    /**
     * Whether this listener uses {@link #totalsKnown}. A save measures its sources with a second walk of the
     * whole tree for it, which a listener that shows no totals (a command line writing to a log, say) can
     * spare it by returning false; it then hears no {@code totalsKnown}. Asked once, when the operation starts.
     */
    default boolean wantsTotals() {
        return true;
    }

    /** Cumulative counts so far; both only grow. */
    default void progress(long bytesDone, long filesDone) { }

    /** The operation names the path or object it is working on now (for display only). */
    default void working(String what) { }

    /**
     * Something was skipped or degraded but the operation goes on; the message is one line naming
     * the path and what happened.
     */
    default void warning(String message) { }
}
