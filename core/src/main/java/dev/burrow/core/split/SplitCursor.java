package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;
import java.io.IOException;

/**
 * The state of bup 0.33.7's buffer splitting over one stream, separate from the buffer that holds the bytes:
 * where the unconsumed bytes start and which positions are known not to be boundaries. {@link HashSplitter}
 * uses it over its own 8 MiB buffer; the parallel save uses it over a ring of reusable blocks, moving the
 * unconsumed tail (always shorter than {@link HashSplitter#BLOB_MAX}) from block to block with {@link #rebase}.
 *
 * <p>Not thread safe, but it may be handed from one thread to another with a happens-before edge.
 */
public final class SplitCursor {
    private final Chunker chunker;
    private int start;
    // Positions q in [clearFrom, clearTo) are known not to end a chunk when the window ending at q is full.
    private int clearFrom;
    private int clearTo;

    public SplitCursor(Chunker chunker) {
        this.chunker = chunker;
    }

    /** Starts a new stream whose first byte is at {@code start}. */
    public void reset(int start) {
        this.start = start;
        clearFrom = 0;
        clearTo = 0;
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
    }

    /**
     * What bup does after appending a read block: emits every chunk found in {@code buf[start, end)}, then
     * back-to-back {@link HashSplitter#BLOB_MAX} chunks while that many bytes remain. Afterwards fewer than
     * {@code BLOB_MAX} bytes are unconsumed.
     */
    public void process(byte[] buf, int end, HashSplitter.ChunkSink sink) throws IOException {
        while (true) {
            long r = scanFrom(buf, start, end);
            if (r < 0) {
                break;
            }
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
        while (end - start >= HashSplitter.BLOB_MAX) {
            sink.chunk(buf, start, HashSplitter.BLOB_MAX, 0);
            start += HashSplitter.BLOB_MAX;
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
