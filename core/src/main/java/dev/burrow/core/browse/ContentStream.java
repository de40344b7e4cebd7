package dev.burrow.core.browse;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.List;

import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.Tree;

/**
 * The concatenated content of a blob, or of every blob under a tree in tree order: a chunked file
 * (§4 of the format spec), a chunked {@code .bupm}, or what {@code bup join} prints.
 *
 * <p>Memory is bounded by the depth of the tree times its fan-out: only the trees on the path to the
 * current leaf and the current leaf's stream are held. Not thread safe; closing it does not close the
 * reader.
 */
final class ContentStream extends InputStream {
    private final ObjectReader reader;
    /** Trees on the path to the current leaf, each with the index of its next entry. */
    private final ArrayDeque<Frame> stack = new ArrayDeque<>();
    private final byte[] one = new byte[1];
    private InputStream leaf;
    private boolean closed;

    private static final class Frame {
        final List<Tree.Entry> entries;
        int next;

        Frame(List<Tree.Entry> entries) {
            this.entries = entries;
        }
    }

    /**
     * @param isTree whether {@code id} is a tree (a chunked file) rather than a blob
     */
    ContentStream(ObjectReader reader, ObjectId id, boolean isTree) throws IOException {
        this.reader = reader;
        if (isTree) {
            stack.push(new Frame(reader.tree(id).entries()));
        } else {
            leaf = reader.open(id);
        }
    }

    /** Moves to the next leaf; false at the end. */
    private boolean advance() throws IOException {
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.next >= f.entries.size()) {
                stack.pop();
                continue;
            }
            Tree.Entry e = f.entries.get(f.next++);
            if (e.isTree()) {
                stack.push(new Frame(reader.tree(e.id()).entries()));
            } else if (!e.isGitlink()) {
                leaf = reader.open(e.id());
                return true;
            }
        }
        return false;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (leaf != null) {
                int n = leaf.read(b, off, len);
                if (n > 0) {
                    return n;
                }
                if (n < 0) {
                    leaf.close();
                    leaf = null;
                }
                continue;
            }
            if (!advance()) {
                return -1;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        stack.clear();
        if (leaf != null) {
            InputStream l = leaf;
            leaf = null;
            l.close();
        }
    }
}
