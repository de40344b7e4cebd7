package dev.burrow.core.backup;

import dev.burrow.core.split.HashSplitter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the save's big reusable read buffers: room for bup's 8 MiB read plus the unconsumed tail of the
 * previous read, so a file's splitting can move from block to block exactly as bup's single buffer does.
 * Small files are packed one after another into the same block.
 *
 * <p>A block is a permit: there are a fixed number of them, and a reader that wants one waits until the
 * writer has stored every chunk of an older one. That is what keeps the save's memory flat. The reference
 * count counts the reader's hold, segments not yet split and chunks not yet written.
 */
final class Block {
    static final int SIZE = HashSplitter.READ_SIZE + HashSplitter.BLOB_MAX;

    final byte[] data = new byte[SIZE];
    private final AtomicInteger refs = new AtomicInteger();
    private final Pool pool;
    /** Where the reader appends the next file; used by the reader thread only. */
    int fill;

    private Block(Pool pool) {
        this.pool = pool;
    }

    void retain() {
        refs.incrementAndGet();
    }

    void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            pool.free.add(this);
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
                    b = new Block(this);
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
