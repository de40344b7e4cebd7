package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;
import java.io.IOException;

/**
 * The state of bup 0.33.7's buffer splitting over one stream, separate from the buffer that holds the bytes:
 * where the unconsumed bytes start and which positions are known not to be boundaries. {@link HashSplitter}
 * uses it over its own 8 MiB buffer; the parallel save uses it over a ring of reusable blocks, moving the
 * unconsumed tail (always shorter than {@link HashSplitter#BLOB_MAX}) from block to block with {@link #rebase}.
 *
 * <p><b>Reads in parts.</b> bup's cuts depend on where its 8 MiB reads end (spec §3.2): where a scan finds no
 * boundary, bup cuts back-to-back 32 KiB pieces without scanning again, but only if no boundary follows anywhere
 * in the same read; otherwise it scans afresh from every piece. The two agree except where a fresh scan finds a
 * boundary in its first 63 bytes (its window not yet full). So a read can be split as its parts arrive
 * ({@link #processPart}): cuts are emitted as soon as they are certain, and only in that rare case does the
 * caller have to gather the rest of the read into one buffer and finish it with {@link #process}.
 *
 * <p>Not thread safe, but it may be handed from one thread to another with a happens-before edge.
 */
public final class SplitCursor {
    private final Chunker chunker;
    private int start;
    // Positions q in [clearFrom, clearTo) are known not to end a chunk when the window ending at q is full.
    private int clearFrom;
    private int clearTo;
    /**
     * Forced pieces were cut after a scan that found no boundary so far. Whether bup scans again from
     * {@link #start} depends on whether that scan finds a boundary later in the read.
     */
    private boolean pieces;
    /** Positions before it (with full windows) are known not to be boundaries; where the last scan ended. */
    private int testedTo;
    /** A read is being gathered into one buffer (after {@link #processPart} returned false). */
    private boolean gathering;
    /** While gathering: a part of the read's rest has a boundary. */
    private boolean boundaryAhead;

    public SplitCursor(Chunker chunker) {
        this.chunker = chunker;
    }

    /** Starts a new stream whose first byte is at {@code start}. */
    public void reset(int start) {
        this.start = start;
        clearFrom = 0;
        clearTo = 0;
        pieces = false;
        testedTo = 0;
        gathering = false;
        boundaryAhead = false;
    }

    /** Where the bytes not yet emitted begin. */
    public int start() {
        return start;
    }

    /** The unconsumed bytes now start at {@code newStart} (they were copied there); hints move with them. */
    public void rebase(int newStart) {
        int delta = newStart - start;
        start = newStart;
        clearFrom += delta;
        clearTo += delta;
        testedTo += delta;
    }

    /**
     * What bup does after appending a read block: emits every chunk found in {@code buf[start, end)}, then
     * back-to-back {@link HashSplitter#BLOB_MAX} chunks while that many bytes remain. Afterwards fewer than
     * {@code BLOB_MAX} bytes are unconsumed.
     */
    public void process(byte[] buf, int end, HashSplitter.ChunkSink sink) throws IOException {
        // After forced pieces, bup scans again only if its scan from where they began found a boundary in this read.
        boolean scan = !pieces || (gathering ? boundaryAhead : hasFullWindowBoundary(buf, testedTo, end));
        pieces = false;
        gathering = false;
        boundaryAhead = false;
        while (scan) {
            long r = scanFrom(buf, start, end);
            if (r < 0) {
                break;
            }
            emit(buf, r, sink);
        }
        forcedPieces(buf, end, sink);
    }

    private void forcedPieces(byte[] buf, int end, HashSplitter.ChunkSink sink) throws IOException {
        while (end - start >= HashSplitter.BLOB_MAX) {
            sink.chunk(buf, start, HashSplitter.BLOB_MAX, 0);
            start += HashSplitter.BLOB_MAX;
        }
    }

    /**
     * Splits {@code buf[start, end)}, a part of a read that goes on after {@code end}: emits the chunks whose cuts
     * are certain whatever follows in the read. Returns true when fewer than {@link HashSplitter#BLOB_MAX} bytes
     * are left unconsumed (they carry over to the next part, as with {@link #process}). Returns false when the
     * next cut depends on the rest of the read: the caller then copies {@code buf[start(), end)} into a buffer
     * that can hold the whole read, calls {@link #gatherAt}, appends every following part of the read, passing
     * each to {@link #gathered} first, and finishes with {@link #process} on that buffer once the read is complete.
     */
    public boolean processPart(byte[] buf, int end, HashSplitter.ChunkSink sink) throws IOException {
        while (true) {
            if (pieces) {
                if (testedTo < end) {
                    // The bytes before testedTo are in buf (a part begins with the carried tail of the one before):
                    // a boundary after it is one bup's scan finds in this read.
                    boolean found = hasFullWindowBoundary(buf, testedTo, end);
                    testedTo = end;
                    if (found) {
                        pieces = false;   // bup scans again from every piece start: do so from this one
                        continue;
                    }
                }
                int warm = start + Rollsum.WINDOW - 1;
                if (chunker.scan(buf, start, start, Math.min(warm, end)) >= 0) {
                    return false;   // a rescan would cut here within the first 63 bytes, back-to-back pieces not
                }
            } else {
                long r = scanFrom(buf, start, end);
                if (r >= 0) {
                    emit(buf, r, sink);
                    continue;
                }
                testedTo = end;
            }
            if (end - start < HashSplitter.BLOB_MAX) {
                return true;
            }
            sink.chunk(buf, start, HashSplitter.BLOB_MAX, 0);
            start += HashSplitter.BLOB_MAX;
            pieces = true;
        }
    }

    /** The unconsumed bytes were copied to {@code newStart} of the buffer where the rest of the read is gathered. */
    public void gatherAt(int newStart) {
        rebase(newStart);
        gathering = true;
        boundaryAhead = false;
    }

    /**
     * Notes a part of the read being gathered, {@code buf[from, end)}, in its own buffer, which holds at least
     * 64 bytes of the read before {@code from} (a part begins with the carried tail of the one before).
     */
    public void gathered(byte[] buf, int from, int end) {
        if (!boundaryAhead) {
            boundaryAhead = hasFullWindowBoundary(buf, from, end);
        }
    }

    /** Whether a position in {@code [from, end)} is a boundary with a full window (the bytes before from are in buf). */
    private boolean hasFullWindowBoundary(byte[] buf, int from, int end) {
        return from < end && chunker.scan(buf, from - Rollsum.WINDOW, from, end) >= 0;
    }

    private void emit(byte[] buf, long r, HashSplitter.ChunkSink sink) throws IOException {
        int boundaryEnd = Chunker.end(r);
        int n = boundaryEnd - start;
        if (n > HashSplitter.BLOB_MAX) {
            sink.chunk(buf, start, HashSplitter.BLOB_MAX, 0);
            start += HashSplitter.BLOB_MAX;
        } else {
            sink.chunk(buf, start, n, Chunker.level(r));
            start = boundaryEnd;
        }
    }

    /** Emits {@code buf[start, end)} as the stream's last chunk, if not empty. */
    public void finish(byte[] buf, int end, HashSplitter.ChunkSink sink) throws IOException {
        if (end > start) {
            sink.chunk(buf, start, end - start, 0);
        }
        start = end;
    }

    private long scanFrom(byte[] buf, int s, int end) {
        int warm = s + Rollsum.WINDOW - 1;   // the first position whose window holds only real bytes
        long r;
        if (clearFrom <= warm && clearTo > warm) {
            r = chunker.scan(buf, s, s, warm);
            if (r < 0) {
                r = chunker.scan(buf, clearTo - Rollsum.WINDOW, clearTo, end);
            }
        } else {
            r = chunker.scan(buf, s, s, end);
        }
        int tested = r < 0 ? end : Chunker.end(r) - 1;
        if (tested > warm) {
            clearFrom = warm;
            clearTo = tested;
        }
        return r;
    }
}
