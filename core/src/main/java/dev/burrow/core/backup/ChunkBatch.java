package dev.burrow.core.backup;

import dev.burrow.core.split.HashSplitter;
import dev.burrow.core.store.ObjectId;
import java.util.concurrent.Semaphore;

/**
 * A run of consecutive entries of the save's chunk stream, hashed and compressed together by one worker and
 * then written in order by the writer. An entry is either a chunk (a range of a {@link Block}) or the end of
 * a file. Everything is in primitive arrays allocated once: batches are reused, never garbage.
 */
final class ChunkBatch {
    /** Input bytes after which a batch is handed to the workers. */
    static final int TARGET_BYTES = 256 << 10;
    static final int MAX_ENTRIES = 512;

    static final byte CHUNK = 0;
    static final byte FILE_END = 1;

    /** How a chunk is to be written: decided by the worker. */
    static final byte KNOWN = 1;      // already in the repository: nothing to write
    static final byte STORED = 2;     // incompressible: zlib stored blocks around the block's bytes
    static final byte DEFLATED = 3;   // deflated into out[zoff, zoff+zlen)

    final byte[] kinds = new byte[MAX_ENTRIES];
    final Block[] blocks = new Block[MAX_ENTRIES];
    final int[] offs = new int[MAX_ENTRIES];
    final int[] lens = new int[MAX_ENTRIES];
    final int[] levels = new int[MAX_ENTRIES];
    final byte[] ids = new byte[MAX_ENTRIES * ObjectId.LENGTH];
    final byte[] how = new byte[MAX_ENTRIES];
    final int[] zoffs = new int[MAX_ENTRIES];
    final int[] zlens = new int[MAX_ENTRIES];
    final int[] adlers = new int[MAX_ENTRIES];
    /** For FILE_END entries: the file's outcome as the reader saw it. */
    final SaveReader.FileRead[] ends = new SaveReader.FileRead[MAX_ENTRIES];
    /** Deflated chunks; a deflated chunk is always shorter than its input, so this never overflows. */
    final byte[] out = new byte[TARGET_BYTES + HashSplitter.BLOB_MAX];
    final Semaphore done = new Semaphore(0);
    int count;
    int inputBytes;

    boolean isFull() {
        return count == MAX_ENTRIES || inputBytes >= TARGET_BYTES;
    }

    void addChunk(Block block, int off, int len, int level) {
        block.retain();
        kinds[count] = CHUNK;
        blocks[count] = block;
        offs[count] = off;
        lens[count] = len;
        levels[count] = level;
        count++;
        inputBytes += len;
    }

    void addFileEnd(SaveReader.FileRead end) {
        kinds[count] = FILE_END;
        ends[count] = end;
        count++;
    }

    /** Drops every entry (releasing their blocks) so the batch can be reused. */
    void clear() {
        for (int i = 0; i < count; i++) {
            if (blocks[i] != null) {
                blocks[i].release();
                blocks[i] = null;
            }
            ends[i] = null;
        }
        count = 0;
        inputBytes = 0;
        done.drainPermits();
    }
}
