package dev.burrow.core.store;

import dev.burrow.core.hash.Sha1Hasher;
import dev.burrow.core.hash.Sha1Hashers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stores objects in new packfiles, each object once across the whole repository: an object whose id is
 * already in any idx, or already written in this session, is skipped. That is how deduplication works.
 *
 * <p>Nothing is visible to readers until {@link #flush()} has moved a complete, synced pack and idx into
 * {@code objects/pack}; {@link #close()} without a flush throws the unfinished pack away, so a failed or
 * killed operation leaves the repository as it was (at most with extra, unreferenced packs).
 *
 * <p><b>Finishing packs in the background.</b> Finishing a pack reads all of it again (its SHA-1 trailer covers
 * the object count in its header, known only at the end), then syncs it and writes its idx: 0.2-0.3 s per
 * 256 MiB, during which a save's other threads would wait for the writer. So a pack that is full, or flushed
 * with {@link #flushInBackground}, is finished by a thread of the inserter's own while the next pack is being
 * written. Packs are finished one at a time in the order they were written, so a pack never becomes visible
 * before an earlier one; after a failure no later pack is finished, and the next call on the inserter throws it.
 * At most {@value #FINISHING_LIMIT} packs wait or are being finished at once: the writer waits for the oldest
 * beyond that, so a slow disk cannot make finished packs pile up in memory.
 *
 * <p>Not thread safe, except {@link #existsInRepository}. The hot path ({@link #insert(ObjectType, byte[], int, int, byte[], int)}) allocates
 * nothing per object: ids go into caller buffers, and the digest, deflater and buffers are reused.
 */
public final class ObjectInserter implements AutoCloseable {
    /** bup's pack.packSizeLimit default. */
    static final long PACK_SIZE_LIMIT = 1_000_000_000L;
    /** bup closes a pack at size_limit / 5000 objects. */
    static final int PACK_OBJECT_LIMIT = 200_000;
    /** Packs handed to the finishing thread and not yet finished, at most. */
    static final int FINISHING_LIMIT = 2;

    private final Repository repo;
    private final Path tmpDir;
    private KnownObjects known;
    private final Sha1Hasher sha1 = Sha1Hashers.create();
    private final byte[] header = new byte[32];
    private PackWriter.Compressor compressor = new PackWriter.Compressor(1);
    private int compression = 1;
    private PackWriter pack;
    /**
     * Packs handed to the finishing thread whose objects are not yet in {@link #known}, oldest first. Replaced
     * whole (rarely: twice per pack), so {@link #exists} reads it without locking or allocating.
     */
    private volatile PackWriter[] finishing = new PackWriter[0];
    /** The finishing thread's tasks not yet waited for, oldest first; used by the writing thread only. */
    private final ArrayDeque<Future<?>> finishTasks = new ArrayDeque<>();
    private ExecutorService finisher;
    /** The first failure of the finishing thread; once set, no further pack is finished. */
    private volatile IOException finishFailure;
    private long objectsWritten;
    private long bytesWritten;

    ObjectInserter(Repository repo) throws IOException {
        this.repo = repo;
        Path objects = repo.directory().resolve("objects");
        removeStaleTempDirectories(objects);
        this.tmpDir = Files.createTempDirectory(objects, "burrow-tmp-" + ProcessHandle.current().pid() + "-");
        try {
            known = KnownObjects.open(repo.packDirectory());
        } catch (IOException | RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    /** Deletes temp directories left by Burrow processes that no longer run (e.g. killed mid-save). */
    private static void removeStaleTempDirectories(Path objects) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(objects, "burrow-tmp-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[2]);
                } catch (RuntimeException e) {
                    continue;   // Not one of ours.
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(dir);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** zlib level 0–9 for objects written from now on. */
    public void setCompression(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + level);
        }
        if (level != compression) {
            compressor.end();
            compressor = new PackWriter.Compressor(level);
            compression = level;
        }
    }

    /** Objects written by this inserter so far (not counting skipped duplicates). */
    public long objectsWritten() {
        return objectsWritten;
    }

    /** Uncompressed content bytes of the objects written so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Computes the id of an object without storing it. */
    public void computeId(ObjectType type, byte[] data, int off, int len, byte[] idOut, int idOff) {
        sha1.reset();
        int h = type.header(len, header);
        sha1.update(header, 0, h);
        sha1.update(data, off, len);
        sha1.digest(idOut, idOff);
    }

    /** True when the object is in the repository or was written by this inserter. */
    public boolean exists(byte[] id, int off) {
        if (pack != null && pack.contains(id, off)) {
            return true;
        }
        // Before known: a finished pack is added to known first and only then dropped from this array.
        for (PackWriter p : finishing) {
            if (p.contains(id, off)) {
                return true;
            }
        }
        return known.contains(id, off);
    }

    /** True when the object is in the repository or was written by this inserter. */
    public boolean exists(ObjectId id) {
        byte[] raw = id.toBytes();
        return exists(raw, 0);
    }

    /**
     * Stores {@code data[off, off+len)} as an object of {@code type} unless it already exists, and puts its
     * id into {@code idOut[idOff, idOff+20)}.
     *
     * @return true if the object was new and written
     */
    public boolean insert(ObjectType type, byte[] data, int off, int len, byte[] idOut, int idOff) throws IOException {
        computeId(type, data, off, len, idOut, idOff);
        if (exists(idOut, idOff)) {
            return false;
        }
        try {
            int zlen = compressor.deflate(data, off, len);
            openPack().write(type, len, idOut, idOff, compressor.buffer(), zlen);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    /**
     * True when the object is in a pack of the repository (one that existed when this inserter opened, or one
     * it has finished since). Unlike {@link #exists}, this may be called from any thread at the same time as
     * the inserter is used, as long as the inserter is not closed; it ignores the pack being written.
     */
    public boolean existsInRepository(byte[] id, int off) {
        return known.contains(id, off);
    }

    /**
     * Stores an object whose id was computed elsewhere and whose zlib stream is {@code z[zoff, zoff+zlen)},
     * unless it already exists (the id is trusted, not checked).
     *
     * @return true if the object was new and written
     */
    public boolean insertDeflated(ObjectType type, int len, byte[] id, int idOff, byte[] z, int zoff, int zlen)
            throws IOException {
        if (exists(id, idOff)) {
            return false;
        }
        try {
            openPack().write(type, len, id, idOff, z, zoff, zlen);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    /**
     * Stores {@code data[off, off+len)} uncompressed (zlib level 0, stored blocks), whose id was computed
     * elsewhere and whose Adler-32 is {@code adler}, unless it already exists (the id is trusted).
     *
     * @return true if the object was new and written
     */
    public boolean insertStored(ObjectType type, byte[] data, int off, int len, int adler, byte[] id, int idOff)
            throws IOException {
        if (exists(id, idOff)) {
            return false;
        }
        try {
            openPack().writeStored(type, id, idOff, data, off, len, adler);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    private PackWriter openPack() throws IOException {
        if (pack == null) {
            pack = new PackWriter(tmpDir);
        }
        return pack;
    }

    private void written(int len) throws IOException {
        objectsWritten++;
        bytesWritten += len;
        if (pack.bytesWritten() >= PACK_SIZE_LIMIT || pack.objectCount() >= PACK_OBJECT_LIMIT) {
            flushInBackground(null);
        }
    }

    /** Stores a whole object and returns its id. */
    public ObjectId insert(ObjectType type, byte[] data) throws IOException {
        byte[] id = new byte[ObjectId.LENGTH];
        insert(type, data, 0, data.length, id, 0);
        return ObjectId.fromBytes(id, 0);
    }

    /** Stores text (a commit) as UTF-8. */
    public ObjectId insert(ObjectType type, String text) throws IOException {
        return insert(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Makes everything written so far durable and visible: finishes the current pack, syncs it and moves
     * it into place. Call before moving a ref to the new objects.
     */
    public void flush() throws IOException {
        flushInBackground(null);
        awaitFinishing(0);
    }

    /** What the finishing thread runs once a pack is durable. */
    @FunctionalInterface
    public interface DurableAction {
        void run() throws IOException;
    }

    /**
     * Hands the pack written so far to the finishing thread and returns; once it is durable and visible (and
     * every earlier one), that thread runs {@code whenDurable}, if not null. A failure, also of
     * {@code whenDurable}, is thrown by a later call on this inserter. Objects written from now on go to a new pack.
     * Without a new pack, {@code whenDurable} runs on the caller's thread once the earlier packs are finished.
     */
    public void flushInBackground(DurableAction whenDurable) throws IOException {
        throwFinishFailure();
        PackWriter p = pack;
        if (p == null || p.objectCount() == 0) {
            if (whenDurable != null) {
                awaitFinishing(0);   // rare: the pack was handed over at its size limit just before
                whenDurable.run();
            }
            return;
        }
        awaitFinishing(FINISHING_LIMIT - 1);
        pack = null;
        synchronized (this) {
            finishing = append(finishing, p);
        }
        if (finisher == null) {
            finisher = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("burrow-pack-finisher").daemon().factory());
        }
        finishTasks.add(finisher.submit(() -> finish(p, whenDurable)));
    }

    /** On the finishing thread. */
    private void finish(PackWriter p, DurableAction whenDurable) {
        try (p) {
            if (finishFailure == null) {
                Path idx = p.finish(repo.packDirectory());
                known.addPack(idx, p.ids(), p.objectCount());
                if (whenDurable != null) {
                    whenDurable.run();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (finishFailure == null) {
                finishFailure = e instanceof IOException io ? namingTheRepository(io) : new IOException(e);
            }
        } finally {
            synchronized (this) {
                finishing = remove(finishing, p);
            }
        }
    }

    private static PackWriter[] append(PackWriter[] packs, PackWriter p) {
        PackWriter[] more = Arrays.copyOf(packs, packs.length + 1);
        more[packs.length] = p;
        return more;
    }

    private static PackWriter[] remove(PackWriter[] packs, PackWriter p) {
        // The oldest is finished first, so p is nearly always packs[0].
        PackWriter[] fewer = new PackWriter[packs.length - 1];
        for (int i = 0, j = 0; i < packs.length; i++) {
            if (packs[i] != p) {
                fewer[j++] = packs[i];
            }
        }
        return fewer;
    }

    /** Waits until at most {@code pending} tasks of the finishing thread are unfinished; throws its failure. */
    private void awaitFinishing(int pending) throws IOException {
        while (finishTasks.size() > pending) {
            try {
                finishTasks.peek().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while a pack was being finished");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause());   // finish() catches everything it expects
            }
            finishTasks.remove();
        }
        throwFinishFailure();
    }

    private void throwFinishFailure() throws IOException {
        IOException e = finishFailure;
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Channel writes fail with a bare "No space left on device"; say which repository is full. */
    private IOException namingTheRepository(IOException e) {
        if (e instanceof FileSystemException || !String.valueOf(e.getMessage()).contains("No space left on device")) {
            return e;
        }
        FileSystemException named = new FileSystemException(repo.directory().toString(), null, e.getMessage());
        named.initCause(e);
        return named;
    }

    /**
     * Discards an unflushed pack and the temp directory; objects already flushed stay. A pack the finishing thread
     * works on is finished first (this waits for it, also when interrupted); packs still waiting are discarded.
     */
    @Override
    public void close() throws IOException {
        IOException first = null;
        try {
            if (pack != null) {
                pack.close();
                pack = null;
            }
        } catch (IOException e) {
            first = e;
        }
        if (finisher != null) {
            stopFinishing();
        }
        closeQuietly(first);
        if (first != null) {
            throw first;
        }
    }

    private void stopFinishing() {
        if (finishFailure == null && !finishTasks.isEmpty()) {
            // Unflushed work is being thrown away: later packs need not be finished (nor their actions run).
            finishFailure = new IOException("the inserter was closed");
        }
        finisher.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (finisher.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        finishTasks.clear();
    }

    private void closeQuietly(Exception first) {
        if (known != null) {
            known.close();
        }
        compressor.end();
        try {
            deleteTree(tmpDir);
        } catch (IOException e) {
            if (first != null) {
                first.addSuppressed(e);
            }
        }
    }
}
