package dev.burrow.core.split;

import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Tree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a file's chunks into bup's blob/tree hierarchy ({@code lib/bup/hashsplit.py}): chunks pile up on
 * level 0; a chunk of level n closes the lists below n into trees (a list of one item moves up as it is);
 * a list of 256 items is closed whatever the level. Entries are named by their hex offset within their
 * tree, zero-padded to the width of the tree's total size.
 *
 * <p>Each level is a few primitive arrays of at most 256 entries, reused for every file, so the chunk
 * path allocates nothing. Not thread safe.
 */
public final class ChunkTreeBuilder implements HashSplitter.ChunkSink {
    private static final int MAX_PER_TREE = 256;
    private static final byte[] MODE_FILE = "100644 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] MODE_TREE = "40000 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final class Level {
        final int[] modes = new int[MAX_PER_TREE + 1];
        final byte[] ids = new byte[(MAX_PER_TREE + 1) * ObjectId.LENGTH];
        final long[] sizes = new long[MAX_PER_TREE + 1];
        int count;

        void add(int mode, byte[] id, int idOff, long size) {
            modes[count] = mode;
            System.arraycopy(id, idOff, ids, count * ObjectId.LENGTH, ObjectId.LENGTH);
            sizes[count] = size;
            count++;
        }
    }

    private final ObjectInserter inserter;
    private final List<Level> levels = new ArrayList<>();
    private final byte[] id = new byte[ObjectId.LENGTH];
    private byte[] treeBuf = new byte[MAX_PER_TREE * 48];
    private long bytes;
    private long newBytes;
    private int top;   // number of levels in use (bup's len(stacks))

    public ChunkTreeBuilder(ObjectInserter inserter) {
        this.inserter = inserter;
        reset();
    }

    /** Starts a new file. */
    public void reset() {
        for (Level l : levels) {
            l.count = 0;
        }
        top = 1;
        level(0);
        bytes = 0;
        newBytes = 0;
    }

    /** Content bytes added since {@link #reset()}. */
    public long bytes() {
        return bytes;
    }

    /** Bytes of chunks that were not yet in the repository. */
    public long newBytes() {
        return newBytes;
    }

    private Level level(int i) {
        while (levels.size() <= i) {
            levels.add(new Level());
        }
        if (top <= i) {
            top = i + 1;
        }
        return levels.get(i);
    }

    @Override
    public void chunk(byte[] buf, int offset, int length, int lvl) throws IOException {
        boolean isNew = inserter.insert(ObjectType.BLOB, buf, offset, length, id, 0);
        stored(id, 0, length, lvl, isNew);
    }

    /**
     * Adds a chunk blob that the caller has already stored (or found stored): its id is
     * {@code chunkId[idOff, idOff+20)}; {@code isNew} says whether it was written now, for {@link #newBytes}.
     */
    public void stored(byte[] chunkId, int idOff, int length, int lvl, boolean isNew) throws IOException {
        if (isNew) {
            newBytes += length;
        }
        bytes += length;
        levels.getFirst().add(Tree.MODE_FILE, chunkId, idOff, length);
        squish(lvl);
    }

    private void squish(int n) throws IOException {
        for (int i = 0; i < n || level(i).count >= MAX_PER_TREE; i++) {
            Level cur = level(i);
            Level up = level(i + 1);
            if (cur.count == 1) {
                up.add(cur.modes[0], cur.ids, 0, cur.sizes[0]);
            } else if (cur.count > 1) {
                long total = writeTree(cur, id);
                up.add(Tree.MODE_TREE, id, 0, total);
            }
            cur.count = 0;
        }
    }

    /** Writes a tree from {@code l}'s entries; puts its id in {@code out} and returns its total size. */
    private long writeTree(Level l, byte[] out) throws IOException {
        long total = 0;
        for (int k = 0; k < l.count; k++) {
            total += l.sizes[k];
        }
        int width = Long.toHexString(total).length();
        int need = l.count * (MODE_FILE.length + width + 1 + ObjectId.LENGTH);
        if (treeBuf.length < need) {
            treeBuf = new byte[need];
        }
        int p = 0;
        long ofs = 0;
        for (int k = 0; k < l.count; k++) {
            byte[] mode = l.modes[k] == Tree.MODE_TREE ? MODE_TREE : MODE_FILE;
            System.arraycopy(mode, 0, treeBuf, p, mode.length);
            p += mode.length;
            for (int d = width - 1; d >= 0; d--) {
                treeBuf[p + d] = (byte) Character.forDigit((int) ((ofs >>> (4 * (width - 1 - d))) & 0xf), 16);
            }
            p += width;
            treeBuf[p++] = 0;
            System.arraycopy(l.ids, k * ObjectId.LENGTH, treeBuf, p, ObjectId.LENGTH);
            p += ObjectId.LENGTH;
            ofs += l.sizes[k];
        }
        inserter.insert(ObjectType.TREE, treeBuf, 0, p, out, 0);
        return total;
    }

    private Level finishLevels() throws IOException {
        squish(top - 1);
        return levels.get(top - 1);
    }

    /**
     * Completes the file as bup's {@code split_to_blob_or_tree}: the empty blob for no data, the single
     * item when there is one, else a tree of the top list. Puts the id in {@code out}.
     *
     * @return the git mode of the result: {@link Tree#MODE_FILE} or {@link Tree#MODE_TREE}
     */
    public int finishBlobOrTree(byte[] out) throws IOException {
        Level l = finishLevels();
        if (l.count == 0) {
            inserter.insert(ObjectType.BLOB, new byte[0], 0, 0, out, 0);
            return Tree.MODE_FILE;
        }
        if (l.count == 1) {
            System.arraycopy(l.ids, 0, out, 0, ObjectId.LENGTH);
            return l.modes[0];
        }
        writeTree(l, out);
        return Tree.MODE_TREE;
    }

    /** Completes the data as bup's {@code split -t}: always a tree (the empty tree for no data). */
    public ObjectId finishTree() throws IOException {
        Level l = finishLevels();
        byte[] out = new byte[ObjectId.LENGTH];
        if (l.count == 0) {
            inserter.insert(ObjectType.TREE, new byte[0], 0, 0, out, 0);
        } else {
            writeTree(l, out);
        }
        return ObjectId.fromBytes(out, 0);
    }
}
