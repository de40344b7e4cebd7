package dev.burrow.core.index;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a new index file from the old one and a journal, in one streaming pass over both (both are in
 * {@link Keys} order). A journal entry replaces the old entry for the same path.
 *
 * <p>When {@code prune} is set (a completed save), old entries the save did not record are dropped if the
 * save must have seen that they are gone: their parent directory was recorded with a different tree than
 * before (so the save listed it and recorded every child still there), or was itself dropped. An old
 * entry under a directory recorded with the same tree, or under no recorded directory at all, is kept:
 * a save may reuse an unchanged directory whole without visiting its children. Keeping too much is never
 * wrong, since every entry is checked against lstat before use.
 *
 * <p>An old directory entry that the journal does not replace but that has journal entries below it is
 * marked {@link IndexFile#FLAG_STALE}: a save reuses a directory's tree when its fingerprint and every entry
 * below it match, and an interrupted save may have recorded a changed file (whose directory's fingerprint
 * does not change) without getting to record the directory's new tree. bup's index invalidates the parents
 * of every changed entry for the same reason.
 */
final class Merge {
    private static final int GIT_DIR = 040000;

    private Merge() { }

    static long write(IndexFile old, Journal rec, boolean prune, Path target) throws IOException {
        try (IndexFileWriter w = new IndexFileWriter(target)) {
            MemorySegment os = old.segment();
            MemorySegment js = rec == null ? MemorySegment.NULL : rec.segment();
            long n = old.count();
            long m = rec == null ? 0 : rec.count();
            DirStack dirs = new DirStack();
            long i = 0;
            long j = 0;
            while (i < n || j < m) {
                int c;
                if (i >= n) {
                    c = 1;
                } else if (j >= m) {
                    c = -1;
                } else {
                    long r = rec.record(j);
                    c = Keys.compare(os, old.pathStart(i), old.pathLength(i),
                            js, Journal.pathStart(r), rec.pathLength(r));
                }
                long oi = -1;
                if (c <= 0) {
                    oi = i++;
                }
                long jr = -1;
                if (c >= 0) {
                    jr = rec.record(j);
                    // Equal paths are in recording order: the last one recorded wins.
                    while (j + 1 < m && samePath(rec, jr, rec.record(j + 1))) {
                        jr = rec.record(++j);
                    }
                    j++;
                }
                MemorySegment ks = jr >= 0 ? js : os;
                long kOff = jr >= 0 ? Journal.pathStart(jr) : old.pathStart(oi);
                int kLen = jr >= 0 ? rec.pathLength(jr) : old.pathLength(oi);
                boolean parentKeepsOld = !prune || dirs.parentKeepsOld(ks, kOff, kLen);
                int mode;
                boolean keepChildren;
                if (jr >= 0) {
                    mode = rec.getInt(jr, Journal.J_GITMODE);
                    w.add(js, kOff, kLen, rec.getLong(jr, Journal.J_DEV), rec.getLong(jr, Journal.J_INO),
                            rec.getLong(jr, Journal.J_NLINK), rec.getLong(jr, Journal.J_CTIME),
                            rec.getLong(jr, Journal.J_MTIME), rec.getLong(jr, Journal.J_SIZE), mode,
                            rec.getInt(jr, Journal.J_FLAGS), rec.getInt(jr, Journal.J_ATTR), js, jr + Journal.J_ID);
                    keepChildren = oi >= 0 && old.getInt(oi, IndexFile.R_GITMODE) == mode
                            && MemorySegment.mismatch(os, IndexFile.record(oi) + IndexFile.R_ID,
                                    IndexFile.record(oi) + IndexFile.R_ID + 20, js, jr + Journal.J_ID,
                                    jr + Journal.J_ID + 20) < 0;
                } else {
                    mode = old.getInt(oi, IndexFile.R_GITMODE);
                    if (parentKeepsOld) {
                        long r = IndexFile.record(oi);
                        int flags = old.getInt(oi, IndexFile.R_FLAGS);
                        // Everything below a key follows it directly, so the next journal entry tells.
                        if (mode == GIT_DIR && j < m && isBelow(js, rec.record(j), rec, os, kOff, kLen)) {
                            flags |= IndexFile.FLAG_STALE;
                        }
                        w.add(os, kOff, kLen, old.getLong(oi, IndexFile.R_DEV), old.getLong(oi, IndexFile.R_INO),
                                old.getLong(oi, IndexFile.R_NLINK), old.getLong(oi, IndexFile.R_CTIME),
                                old.getLong(oi, IndexFile.R_MTIME), old.getLong(oi, IndexFile.R_SIZE), mode,
                                flags, old.getInt(oi, IndexFile.R_ATTR), os, r + IndexFile.R_ID);
                    }
                    keepChildren = parentKeepsOld;
                }
                if (prune && mode == GIT_DIR) {
                    dirs.push(ks, kOff, kLen, keepChildren);
                }
            }
            // Both inputs are read: drop their pages from this process (the page cache keeps them) before
            // commit reads the new file, so the three files are not resident at once.
            unload(os);
            unload(js);
            w.commit();
            return w.count();
        }
    }

    private static void unload(MemorySegment seg) {
        if (seg.isMapped()) {
            seg.unload();
        }
    }

    /** Whether journal record {@code r}'s path lies below the directory {@code dir[off, off+len)}. */
    private static boolean isBelow(MemorySegment js, long r, Journal rec, MemorySegment dir, long off, int len) {
        long start = Journal.pathStart(r);
        return rec.pathLength(r) > len && js.get(ValueLayout.JAVA_BYTE, start + len) == '/'
                && MemorySegment.mismatch(js, start, start + len, dir, off, off + len) < 0;
    }

    private static boolean samePath(Journal rec, long a, long b) {
        return Keys.compare(rec.segment(), Journal.pathStart(a), rec.pathLength(a),
                rec.segment(), Journal.pathStart(b), rec.pathLength(b)) == 0;
    }

    /** The directories enclosing the current entry, innermost last, with whether their old children stay. */
    private static final class DirStack {
        private byte[] bytes = new byte[4096];
        private int[] ends = new int[64];
        private boolean[] keep = new boolean[64];
        private int depth;

        boolean parentKeepsOld(MemorySegment key, long off, int len) {
            while (depth > 0 && !isAncestor(depth - 1, key, off, len)) {
                depth--;
            }
            if (depth == 0) {
                return true;
            }
            int start = start(depth - 1);
            int plen = ends[depth - 1] - start;
            for (int k = plen + 1; k < len; k++) {
                if (key.get(ValueLayout.JAVA_BYTE, off + k) == '/') {
                    return true;   // Not the direct parent: an intermediate directory is unknown; keep.
                }
            }
            return keep[depth - 1];
        }

        private int start(int level) {
            return level == 0 ? 0 : ends[level - 1];
        }

        private boolean isAncestor(int level, MemorySegment key, long off, int len) {
            int start = start(level);
            int plen = ends[level] - start;
            if (plen >= len || key.get(ValueLayout.JAVA_BYTE, off + plen) != '/') {
                return false;
            }
            for (int k = 0; k < plen; k++) {
                if (bytes[start + k] != key.get(ValueLayout.JAVA_BYTE, off + k)) {
                    return false;
                }
            }
            return true;
        }

        void push(MemorySegment key, long off, int len, boolean keepChildren) {
            int start = start(depth);
            if (start + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, start + len));
            }
            if (depth == ends.length) {
                ends = Arrays.copyOf(ends, depth * 2);
                keep = Arrays.copyOf(keep, depth * 2);
            }
            MemorySegment.copy(key, ValueLayout.JAVA_BYTE, off, bytes, start, len);
            ends[depth] = start + len;
            keep[depth] = keepChildren;
            depth++;
        }
    }
}
