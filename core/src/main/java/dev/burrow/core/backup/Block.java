package dev.burrow.core.backup;

import dev.burrow.core.split.HashSplitter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the save's reusable read buffers: room for {@link #PART} bytes of a file plus the unconsumed tail of
 * the part before (at most {@link HashSplitter#BLOB_MAX}), so a file's splitting can move from block to block.
 * bup's 8 MiB reads are split as parts of 1 MiB ({@link dev.burrow.core.split.SplitCursor#processPart}); only
 * when a cut depends on the rest of a read is that read gathered into an {@link #oversized} block of its own.
 * Small files are packed one after another into the same block.
 *
 * <p>A block is a permit: there are a fixed number of them, and a reader that wants one waits until the
 * writer has stored every chunk of an older one. That is what keeps the save's memory flat. The reference
 * count counts the reader's hold, segments not yet split and chunks not yet written.
 */
final class Block {
    /**
     * New bytes per block. Two 8 MiB blocks (bup's read size) were three quarters of a save's live heap; with
     * 1 MiB parts the save holds {@link SavePipeline#BLOCKS} of them. The system property
     * {@code burrow.save.blockBytes} overrides it (tests use parts barely above 32 KiB).
     */
    static final int PART = Math.max(HashSplitter.BLOB_MAX + 1,
            Math.min(HashSplitter.READ_SIZE, Integer.getInteger("burrow.save.blockBytes", 1 << 20)));
    static final int SIZE = PART + HashSplitter.BLOB_MAX;

    final byte[] data;
    private final AtomicInteger refs = new AtomicInteger();
    private final Pool pool;
    /** Where the reader appends the next file; used by the reader thread only. */
    int fill;

    private Block(Pool pool, int size) {
        this.pool = pool;
        this.data = new byte[size];
    }

    /**
     * A block outside the pool, for a whole read (up to bup's 8 MiB plus a carried tail), held once by the caller;
     * it is left to the garbage collector once released by everyone.
     */
    static Block oversized() {
        Block b = new Block(null, HashSplitter.READ_SIZE + HashSplitter.BLOB_MAX);
        b.refs.set(1);
        return b;
    }

    void retain() {
        refs.incrementAndGet();
    }

    void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            if (pool != null) {
                pool.free.add(this);
            }
        } else if (left < 0) {
            throw new IllegalStateException("block released more often than retained");
        }
    }

    /**
     * A fixed number of blocks, each allocated when first needed: a save whose files are all unchanged (the index
     * says so) reads nothing and never pays for 16 MiB of zeroed arrays.
     */
    static final class Pool {
        private final BlockingQueue<Block> free;
        private final int blocks;
        private int created;   // acquire runs on the reader thread only

        Pool(int blocks) {
            this.blocks = blocks;
            free = new ArrayBlockingQueue<>(blocks);
        }

        /** Waits for a free block and returns it empty, held once by the caller. */
        Block acquire() throws InterruptedException {
            Block b = free.poll();
            if (b == null) {
                if (created < blocks) {
                    created++;
                    b = new Block(this, SIZE);
                } else {
                    b = free.take();
                }
            }
            b.fill = 0;
            b.refs.set(1);
            return b;
        }
    }
}
