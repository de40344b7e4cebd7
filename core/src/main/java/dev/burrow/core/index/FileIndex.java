package dev.burrow.core.index;

import static dev.burrow.core.index.IndexFile.BE_INT;
import static dev.burrow.core.index.IndexFile.BE_LONG;

import dev.burrow.core.meta.FileNames;
import dev.burrow.core.store.Durability;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The filesystem index: for each path a save has stored, the lstat fingerprint it had and the git mode and
 * blob or tree id it was stored as (bup's {@code bupindex}, spec §10, in Burrow's own format). A re-save
 * asks {@link #lookup} for every file and reuses the id when nothing changed, so unchanged files are not
 * read; a save records its results with {@link #record()}, and a save that was interrupted leaves a journal
 * from which the next save resumes.
 *
 * <p><b>An entry is only a hint.</b> A hit says the file looks unchanged since it was stored as that id; it
 * does not say the object is in the repository (the pack may never have been flushed, or the repository
 * may have been pruned or replaced). The caller must check the id with the repository's existence lookup
 * ({@code KnownObjects} / {@code ObjectInserter.exists}) before reusing it, and read the file when it is
 * missing.
 *
 * <p>Files, for an index {@code F}: {@code F} itself (sorted records, memory-mapped, replaced atomically by
 * temp file, fsync and rename), {@code F.journal} (what the current or an interrupted save recorded),
 * {@code F.lock} (held by the recording save), and short-lived {@code F.tmp-*} files. Memory does not grow
 * with the number of entries: the index and journal are mapped, never loaded, and merging them sorts an
 * off-heap table of journal offsets.
 *
 * <p>Paths are raw bytes, compared byte for byte (names need not be UTF-8), without a trailing slash.
 *
 * <p>Thread safety: {@link #lookup} may be called from any number of threads at once, and concurrently with
 * a {@link Recorder}; it sees the index as it was when opened. {@link #close()} must not race with lookups.
 * One save at a time records into an index ({@link #record()} fails while another holds it).
 */
public final class FileIndex implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileIndex.class.getName());
    private static final int GIT_DIR = 040000;
    /** For {@link Recorder#add} and {@link #lookup}: the chattr flags are not known (or there are xattrs or an ACL). */
    public static final long NO_ATTR = -1;

    private final Path file;
    private final IndexFile index;

    private FileIndex(Path file, IndexFile index) {
        this.file = file;
        this.index = index;
    }

    /**
     * Opens the index at {@code file} (absent: empty). A journal left by an interrupted save is merged in
     * first, unless another save is recording right now. A corrupt or foreign file is ignored with a
     * warning, never trusted. Blocks on file I/O; reads the whole file once to check its checksum.
     */
    public static FileIndex open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path journal = journalFile(file);
        if (Files.exists(journal)) {
            try (IndexLock lock = IndexLock.tryAcquire(file)) {
                if (lock != null) {
                    mergeJournal(file, journal);
                }
            }
        }
        return new FileIndex(file, openIndex(file));
    }

    private static IndexFile openIndex(Path file) throws IOException {
        try {
            return IndexFile.open(file);
        } catch (NoSuchFileException e) {
            return IndexFile.empty();
        } catch (CorruptIndexException e) {
            LOG.log(System.Logger.Level.WARNING, "Ignoring the file index, every file will be read: {0}",
                    e.getMessage());
            return IndexFile.empty();
        }
    }

    /** Folds an interrupted save's journal into the index, then deletes the journal. Caller holds the lock. */
    private static void mergeJournal(Path file, Path journal) throws IOException {
        try (IndexFile old = openIndex(file); Journal rec = Journal.open(journal)) {
            if (rec.count() > 0) {
                long n = Merge.write(old, rec, false, file);
                LOG.log(System.Logger.Level.DEBUG, "Resumed {0} entries from {1}; index has {2}",
                        rec.count(), journal, n);
            }
        } catch (CorruptIndexException e) {
            LOG.log(System.Logger.Level.WARNING, "Ignoring a damaged index journal: {0}", e.getMessage());
        } catch (IOException e) {
            // A full disk, say: the save can still run, and its recorder appends to the journal instead.
            LOG.log(System.Logger.Level.WARNING, "Could not merge the index journal {0}: {1}", journal, e.toString());
            return;
        }
        Files.deleteIfExists(journal);
        Durability.syncDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Where Burrow keeps the index for saves of {@code sources} into the repository at {@code repoDir}:
     * {@code <repoDir>/burrow-index/<40 hex digits>}, the SHA-1 of the sources' absolute, normalised raw
     * path bytes, sorted and each followed by a NUL. So each set of sources has its own index, whatever
     * order the sources are given in. The directory is created by the first {@link #record()}.
     */
    public static Path defaultFile(Path repoDir, List<Path> sources) {
        byte[][] paths = new byte[sources.size()][];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = FileNames.pathBytes(sources.get(i).toAbsolutePath().normalize());
        }
        Arrays.sort(paths, Arrays::compareUnsigned);
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
        for (byte[] p : paths) {
            sha1.update(p);
            sha1.update((byte) 0);
        }
        return repoDir.resolve("burrow-index").resolve(HexFormat.of().formatHex(sha1.digest()));
    }

    /** The file this index was opened from. */
    public Path file() {
        return file;
    }

    /** Number of entries (as opened; a running recorder does not change it). */
    public long size() {
        return index.count();
    }

    /**
     * If {@code path}'s entry matches this lstat fingerprint, writes its 20-byte blob or tree id to
     * {@code idOut[idOff..idOff+20)} and returns its git mode; else returns -1 and leaves {@code idOut}
     * alone. Only a hint: see the class comment. Allocation-free and thread safe.
     *
     * @param ctimeNs  ctime in nanoseconds since the epoch
     * @param mtimeNs  mtime in nanoseconds since the epoch
     */
    public int lookup(byte[] path, int pathOff, int pathLen, long dev, long ino, long nlink, long ctimeNs,
                      long mtimeNs, long size, byte[] idOut, int idOff) {
        return lookup(path, pathOff, pathLen, dev, ino, nlink, ctimeNs, mtimeNs, size, idOut, idOff, null);
    }

    /**
     * As {@link #lookup(byte[], int, int, long, long, long, long, long, long, byte[], int)}; on a hit also
     * writes to {@code attrOut[0]} the chattr flags recorded with the entry (a file or directory) if it had
     * neither xattrs nor an ACL, else {@link #NO_ATTR}. An unchanged fingerprint means those are unchanged
     * too: setting an xattr, an ACL or a chattr flag changes the ctime. So a caller may take the rest of the
     * metadata from lstat.
     */
    public int lookup(byte[] path, int pathOff, int pathLen, long dev, long ino, long nlink, long ctimeNs,
                      long mtimeNs, long size, byte[] idOut, int idOff, long[] attrOut) {
        long i = index.find(path, pathOff, pathLen);
        if (i < 0) {
            return -1;
        }
        if ((index.getInt(i, IndexFile.R_FLAGS) & (IndexFile.FLAG_RACY | IndexFile.FLAG_STALE)) != 0
                || index.getLong(i, IndexFile.R_DEV) != dev
                || index.getLong(i, IndexFile.R_INO) != ino
                || index.getLong(i, IndexFile.R_NLINK) != nlink
                || index.getLong(i, IndexFile.R_CTIME) != ctimeNs
                || index.getLong(i, IndexFile.R_MTIME) != mtimeNs
                || index.getLong(i, IndexFile.R_SIZE) != size) {
            return -1;
        }
        int gitMode = index.getInt(i, IndexFile.R_GITMODE);
        long id = IndexFile.record(i) + IndexFile.R_ID;
        MemorySegment seg = index.segment();
        if (gitMode == 0
                || seg.get(BE_LONG, id) == 0 && seg.get(BE_LONG, id + 8) == 0 && seg.get(BE_INT, id + 16) == 0) {
            return -1;   // bup treats an all-zero id or a zero mode as "not hashed yet".
        }
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, id, idOut, idOff, 20);
        if (attrOut != null) {
            attrOut[0] = (index.getInt(i, IndexFile.R_FLAGS) & IndexFile.FLAG_ATTR) != 0
                    ? Integer.toUnsignedLong(index.getInt(i, IndexFile.R_ATTR)) : NO_ATTR;
        }
        return gitMode;
    }

    /**
     * Starts recording this save's results into the journal, appending to what an interrupted save left if
     * it could not be merged at open. Takes the index's lock until the recorder is committed or closed.
     *
     * @throws IOException if another save is recording into this index, or the journal cannot be created
     */
    public Recorder record() throws IOException {
        return new JournalRecorder(file, Instant.now());
    }

    /** Unmaps the index. The caller ensures no lookup is running or will run. */
    @Override
    public void close() {
        index.close();
    }

    static Path journalFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    /**
     * Records a save's results. {@link #add} may be called from several threads. Entries are buffered and
     * written to the journal when the buffer fills; {@link #checkpoint()} writes and forces them. Entries
     * are hints like the index's, so one recorded before its object reached the repository does no harm.
     */
    public interface Recorder extends AutoCloseable {
        /**
         * Records that {@code path}, with this lstat fingerprint, is stored as {@code id[idOff..idOff+20)}
         * with {@code gitMode}. Directories are recorded with mode {@code 040000} and their tree id. An
         * entry whose mtime or ctime is not at least a second before the recording started is kept but
         * never matches (bup's racy-time guard: the file may change again within the clock's resolution).
         *
         * <p>When a completed save recorded a directory with a different tree than before, old entries
         * directly inside it that it did not record are dropped at {@link #commit()}; so a save that lists
         * a directory must record all of its children. A directory reused whole may be recorded alone.
         */
        default void add(byte[] path, int pathOff, int pathLen, long dev, long ino, long nlink, long ctimeNs,
                         long mtimeNs, long size, int gitMode, byte[] id, int idOff) throws IOException {
            add(path, pathOff, pathLen, dev, ino, nlink, ctimeNs, mtimeNs, size, gitMode, id, idOff, NO_ATTR);
        }

        /**
         * As the other {@code add}, with {@code attr}: the file's chattr flags (an unsigned 32-bit value) if
         * it has neither xattrs nor an ACL, else {@link #NO_ATTR}; {@link #lookup} returns them on a hit.
         */
        void add(byte[] path, int pathOff, int pathLen, long dev, long ino, long nlink, long ctimeNs, long mtimeNs,
                 long size, int gitMode, byte[] id, int idOff, long attr) throws IOException;

        /**
         * Makes durable everything added so far (call after the pack holding those objects was flushed). After
         * {@link #commit()} or {@link #close()} it does nothing: what was added is in the index or the kept journal.
         * May be called from another thread than {@link #add}.
         */
        void checkpoint() throws IOException;

        /** The save completed: atomically replaces the index with old entries still valid + recorded ones. */
        void commit() throws IOException;

        /** Without commit: keeps the journal (written and forced) so the next save resumes from it. */
        @Override
        void close() throws IOException;
    }

    /** The index's lock file, held with an OS lock while a save records. */
    private static final class IndexLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private IndexLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        /** The lock, or null when another process or recorder holds it. */
        static IndexLock tryAcquire(Path file) throws IOException {
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock l = ch.tryLock();
                if (l != null) {
                    return new IndexLock(ch, l);
                }
            } catch (OverlappingFileLockException e) {
                // Held by a recorder of this JVM: the same answer as another process holding it.
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            ch.close();
            return null;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static final class JournalRecorder implements Recorder {
        private static final int BUFFER = 1 << 16;

        private final Path file;
        private final Path journal;
        private final long racyLimitNs;
        private final IndexLock lock;
        private final FileChannel out;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buf;
        private final ByteBuffer bb;
        private final CRC32C crc = new CRC32C();
        /** A record's length and fixed fields being built (see {@link BigEndian}). */
        private final byte[] fixed = new byte[Journal.J_PATH];
        private boolean finished;
        /** The journal was created by this recorder and its directory entry not yet synced. */
        private boolean newFile;

        JournalRecorder(Path file, Instant start) throws IOException {
            this.file = file;
            this.journal = journalFile(file);
            this.racyLimitNs = Math.multiplyExact(start.getEpochSecond(), 1_000_000_000L) + start.getNano()
                    - 1_000_000_000L;
            IndexLock l = IndexLock.tryAcquire(file);
            if (l == null) {
                arena.close();
                throw new IOException(file + ": the file index is in use by another save");
            }
            FileChannel ch = null;
            try {
                long keep = validJournalEnd(journal);
                ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                buf = arena.allocate(BUFFER);
                bb = buf.asByteBuffer();
                if (keep < 0) {
                    ch.truncate(0);
                    buf.set(BE_LONG, 0, Journal.MAGIC);
                    buf.set(BE_INT, 8, Journal.VERSION);
                    buf.set(BE_INT, 12, 0);
                    bb.position(Journal.HEADER);
                    drain(ch);
                    // Made durable by the first checkpoint or close: a save that commits never needs it to be.
                    newFile = true;
                } else {
                    ch.truncate(keep);   // Drops a torn tail before appending.
                    ch.position(keep);
                }
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                }
                arena.close();
                l.close();
                throw e;
            }
            lock = l;
            out = ch;
        }

        /** Where a readable journal's valid records end, or -1 when there is none to append to. */
        private static long validJournalEnd(Path journal) throws IOException {
            if (!Files.exists(journal)) {
                return -1;
            }
            try (Journal j = Journal.open(journal, false)) {
                return j.validEnd();
            } catch (CorruptIndexException e) {
                LOG.log(System.Logger.Level.WARNING, "Starting a new index journal: {0}", e.getMessage());
                return -1;
            }
        }

        @Override
        public synchronized void add(byte[] path, int pathOff, int pathLen, long dev, long ino, long nlink,
                                     long ctimeNs, long mtimeNs, long size, int gitMode, byte[] id, int idOff,
                                     long attr) throws IOException {
            if (attr != NO_ATTR && (attr >>> 32) != 0) {
                throw new IllegalArgumentException("chattr flags out of range: " + attr);
            }
            Objects.checkFromIndexSize(pathOff, pathLen, path.length);
            Objects.checkFromIndexSize(idOff, 20, id.length);
            if (pathLen == 0) {
                throw new IllegalArgumentException("empty path");
            }
            checkOpen();
            int n = Journal.FIXED + pathLen;
            int total = n + 8;
            if (total > bb.remaining()) {
                drain(out);
            }
            if (total > bb.capacity()) {
                try (Arena big = Arena.ofConfined()) {   // A path longer than 64 KiB: rare enough to allocate.
                    MemorySegment seg = big.allocate(total);
                    encode(seg, 0, n, path, pathOff, pathLen, dev, ino, nlink, ctimeNs, mtimeNs, size, gitMode, id,
                            idOff, attr);
                    ByteBuffer b = seg.asByteBuffer();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
                return;
            }
            int at = bb.position();
            encode(buf, at, n, path, pathOff, pathLen, dev, ino, nlink, ctimeNs, mtimeNs, size, gitMode, id, idOff,
                    attr);
            bb.position(at + total);
        }

        private void encode(MemorySegment seg, long at, int n, byte[] path, int pathOff, int pathLen, long dev,
                            long ino, long nlink, long ctimeNs, long mtimeNs, long size, int gitMode, byte[] id,
                            int idOff, long attr) {
            int flags = mtimeNs >= racyLimitNs || ctimeNs >= racyLimitNs ? IndexFile.FLAG_RACY : 0;
            if (attr != NO_ATTR) {
                flags |= IndexFile.FLAG_ATTR;
            }
            byte[] f = fixed;
            BigEndian.putInt(f, 0, n);
            BigEndian.putLong(f, Journal.J_DEV, dev);
            BigEndian.putLong(f, Journal.J_INO, ino);
            BigEndian.putLong(f, Journal.J_NLINK, nlink);
            BigEndian.putLong(f, Journal.J_CTIME, ctimeNs);
            BigEndian.putLong(f, Journal.J_MTIME, mtimeNs);
            BigEndian.putLong(f, Journal.J_SIZE, size);
            BigEndian.putInt(f, Journal.J_GITMODE, gitMode);
            BigEndian.putInt(f, Journal.J_FLAGS, flags);
            System.arraycopy(id, idOff, f, Journal.J_ID, 20);
            BigEndian.putInt(f, Journal.J_ATTR, attr == NO_ATTR ? 0 : (int) attr);
            MemorySegment.copy(f, 0, seg, ValueLayout.JAVA_BYTE, at, Journal.J_PATH);
            MemorySegment.copy(path, pathOff, seg, ValueLayout.JAVA_BYTE, at + Journal.J_PATH, pathLen);
            ByteBuffer view = seg == buf ? bb : seg.asByteBuffer();
            int pos = view.position();
            int limit = view.limit();
            view.limit((int) at + 4 + n).position((int) at);
            crc.reset();
            crc.update(view);
            view.limit(limit).position(pos);
            seg.set(BE_INT, at + 4 + n, (int) crc.getValue());
        }

        private void drain(FileChannel ch) throws IOException {
            bb.flip();
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            bb.clear();
        }

        private void checkOpen() {
            if (finished) {
                throw new IllegalStateException("recorder for " + file + " is already committed or closed");
            }
        }

        @Override
        public synchronized void checkpoint() throws IOException {
            if (finished) {
                return;
            }
            drain(out);
            force();
        }

        private void force() throws IOException {
            out.force(false);
            if (newFile) {
                Durability.syncDirectory(journal.toAbsolutePath().getParent());
                newFile = false;
            }
        }

        @Override
        public synchronized void commit() throws IOException {
            checkOpen();
            // Not forced: the merged index is forced before it replaces the old one, and the journal is deleted.
            drain(out);
            try (Journal rec = Journal.open(journal)) {
                // Nothing recorded (a re-save that reused the whole tree): the index stays as it is.
                if (rec.count() > 0) {
                    try (IndexFile old = openIndex(file)) {
                        Merge.write(old, rec, true, file);
                    }
                }
            }
            Files.delete(journal);
            Durability.syncDirectory(journal.toAbsolutePath().getParent());
            finish();
        }

        @Override
        public synchronized void close() throws IOException {
            if (finished) {
                return;
            }
            IOException first = null;
            try {
                drain(out);
                force();
            } catch (IOException e) {
                first = e;
            }
            try {
                finish();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
            if (first != null) {
                throw first;
            }
        }

        private void finish() throws IOException {
            finished = true;
            try (lock) {
                out.close();
            } finally {
                arena.close();
            }
        }
    }
}
