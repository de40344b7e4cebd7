package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;
import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts a byte stream into chunks exactly as bup 0.33.7 does ({@code lib/bup/hashsplit.py}).
 *
 * <p>Input is read in 8 MiB blocks. After each block the unconsumed buffer is scanned with a fresh
 * checksum: a boundary within 32 KiB ends a chunk there; one further away forces a 32 KiB cut and a
 * rescan from the cut. When a scan finds no boundary at all, the buffer is cut into back-to-back 32 KiB
 * chunks <em>without</em> rescanning, and the rest waits for the next block. That last quirk makes the
 * result depend on where the 8 MiB blocks fall, so this class keeps the same block structure.
 *
 * <p>Rescanning after a forced cut could cost quadratic time on long stretches without boundaries; it is
 * avoided by remembering which positions are known not to be boundaries once the 64-byte window is full
 * (see {@link Chunker#scan}), so each byte is scanned about once.
 *
 * <p>Not thread safe. One instance holds one 8 MiB buffer and is reused for many streams.
 */
public final class HashSplitter {
    /** The largest chunk bup writes. */
    public static final int BLOB_MAX = 1 << (Rollsum.BLOB_BITS + 2);
    /** bup 0.33.7's read size (BLOB_READ_SIZE). */
    public static final int READ_SIZE = 8 << 20;

    /** Receives chunks in stream order; the bytes are valid only during the call. */
    @FunctionalInterface
    public interface ChunkSink {
        void chunk(byte[] buf, int offset, int length, int level) throws IOException;
    }

    /** Receives the number of bytes read after each block, for progress. */
    @FunctionalInterface
    public interface ReadListener {
        void read(int bytes);
    }

    private final Chunker chunker;
    private final SplitCursor cursor;
    private final byte[] buf = new byte[READ_SIZE + BLOB_MAX];
    private int end;

    public HashSplitter(Chunker chunker) {
        this.chunker = chunker;
        this.cursor = new SplitCursor(chunker);
    }

    /** The chunker in use. */
    public Chunker chunker() {
        return chunker;
    }

    /**
     * Splits one whole stream: {@link #feed} then {@link #finish}.
     *
     * @return the number of bytes read
     */
    public long split(InputStream in, ChunkSink sink, ReadListener progress) throws IOException {
        long n = feed(in, sink, progress);
        finish(sink);
        return n;
    }

    /**
     * Reads {@code in} to its end in 8 MiB blocks and emits every chunk that is complete; the tail stays
     * buffered, so several streams fed in a row are split as one (bup split without --keep-boundaries).
     * Checks for interruption between blocks.
     *
     * @return the number of bytes read
     */
    public long feed(InputStream in, ChunkSink sink, ReadListener progress) throws IOException {
        long total = 0;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("split interrupted");
            }
            compact();
            int n = in.readNBytes(buf, end, READ_SIZE);
            if (n == 0) {
                return total;
            }
            end += n;
            total += n;
            if (progress != null) {
                progress.read(n);
            }
            process(sink);
            if (n < READ_SIZE) {
                return total;
            }
        }
    }

    /** Emits what remains as the last chunk and resets for the next stream. */
    public void finish(ChunkSink sink) throws IOException {
        cursor.finish(buf, end, sink);
        end = 0;
        cursor.reset(0);
    }

    private void process(ChunkSink sink) throws IOException {
        cursor.process(buf, end, sink);
    }

    private void compact() {
        int start = cursor.start();
        if (start == 0) {
            return;
        }
        int rest = end - start;
        System.arraycopy(buf, start, buf, 0, rest);
        cursor.rebase(0);
        end = rest;
    }
}
