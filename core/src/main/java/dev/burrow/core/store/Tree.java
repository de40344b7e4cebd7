package dev.burrow.core.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A parsed git tree: entries in stored order, names kept as raw bytes.
 *
 * <p>Immutable and thread safe. Names are never decoded as text except by {@link Entry#displayName()},
 * which is for display only.
 */
public final class Tree implements Iterable<Tree.Entry> {
    /** Git mode of a subtree (a directory or, in bup, a chunked file or a chunk-tree node). */
    public static final int MODE_TREE = 0040000;
    /** Git mode of a regular file blob (bup also uses it for fifos, sockets and devices). */
    public static final int MODE_FILE = 0100644;
    /** Git mode of an executable file blob (never written by bup 0.33.7). */
    public static final int MODE_EXECUTABLE = 0100755;
    /** Git mode of a symlink blob. */
    public static final int MODE_SYMLINK = 0120000;
    /** Git mode of a submodule commit link. */
    public static final int MODE_GITLINK = 0160000;

    private final List<Entry> entries;

    private Tree(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * Parses a tree object's content.
     *
     * @param id the tree's id, for error messages; may be null
     * @throws CorruptObjectException if an entry is malformed
     */
    public static Tree parse(ObjectId id, byte[] raw) throws CorruptObjectException {
        List<Entry> out = new ArrayList<>();
        int p = 0;
        while (p < raw.length) {
            int mode = 0;
            int start = p;
            while (p < raw.length && raw[p] != ' ') {
                int d = raw[p] - '0';
                if (d < 0 || d > 7 || p - start >= 7) {
                    throw new CorruptObjectException(id, "bad mode in tree entry at byte " + start);
                }
                mode = mode << 3 | d;
                p++;
            }
            if (p == start || p >= raw.length) {
                throw new CorruptObjectException(id, "truncated tree entry at byte " + start);
            }
            int nameStart = ++p;
            while (p < raw.length && raw[p] != 0) {
                p++;
            }
            if (p == nameStart || raw.length - (p + 1) < ObjectId.LENGTH) {
                throw new CorruptObjectException(id, "truncated tree entry at byte " + start);
            }
            byte[] name = Arrays.copyOfRange(raw, nameStart, p);
            p++;
            out.add(new Entry(mode, name, ObjectId.fromBytes(raw, p)));
            p += ObjectId.LENGTH;
        }
        return new Tree(List.copyOf(out));
    }

    /** The entries in stored (git) order. */
    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public Iterator<Entry> iterator() {
        return entries.iterator();
    }

    /** The entry with exactly this raw name, or null. */
    public Entry find(byte[] name) {
        for (Entry e : entries) {
            if (Arrays.equals(e.name, name)) {
                return e;
            }
        }
        return null;
    }

    /** One tree entry. Immutable. */
    public static final class Entry {
        private final int mode;
        private final byte[] name;
        private final ObjectId id;

        public Entry(int mode, byte[] name, ObjectId id) {
            this.mode = mode;
            this.name = name.clone();
            this.id = id;
        }

        /** The git mode, e.g. {@code 0100644}. */
        public int mode() {
            return mode;
        }

        /** A copy of the raw name bytes. */
        public byte[] name() {
            return name.clone();
        }

        public int nameLength() {
            return name.length;
        }

        /** The name byte at {@code i}, as 0..255. */
        public int nameByte(int i) {
            return name[i] & 0xff;
        }

        /** True when the raw name equals {@code other}. */
        public boolean nameEquals(byte[] other) {
            return Arrays.equals(name, other);
        }

        /** True when the raw name ends with the ASCII {@code suffix}. */
        public boolean nameEndsWith(String suffix) {
            int n = suffix.length();
            if (name.length < n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (name[name.length - n + i] != (byte) suffix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The name decoded as UTF-8 with replacement characters: for display only. */
        public String displayName() {
            return new String(name, StandardCharsets.UTF_8);
        }

        public ObjectId id() {
            return id;
        }

        /** True for mode 040000. */
        public boolean isTree() {
            return mode == MODE_TREE;
        }

        public boolean isSymlink() {
            return mode == MODE_SYMLINK;
        }

        public boolean isGitlink() {
            return mode == MODE_GITLINK;
        }

        @Override
        public String toString() {
            return Integer.toOctalString(mode) + " " + id.name() + "\t" + displayName();
        }
    }
}
