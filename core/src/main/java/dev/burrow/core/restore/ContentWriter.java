package dev.burrow.core.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.burrow.core.store.CorruptObjectException;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.PackLocator;
import dev.burrow.core.store.PackStream;
import dev.burrow.core.store.Repository;

/**
 * Writes the content of restored files: the restore walk adds, for each file, the blobs it is made of
 * and where each goes; this class reads them in pack order and writes them in parallel.
 *
 * <p>Work is gathered in segments of at most {@link #MAX_CHUNKS} chunks and {@link #MAX_FILES} files, so
 * memory does not grow with the snapshot. A segment's chunks are sorted by their location in the packs
 * and cut into runs of a few MiB of pack; a pool of platform threads sized to the cores takes runs, reads
 * each pack window once ({@link PackStream}), inflates into a fixed buffer and writes it with positional
 * writes into every file that needs that blob (a blob shared by several files or places is read once).
 * Per thread, memory is one read window and one output buffer, whatever the file sizes. Delta objects
 * (packs rewritten by {@code git gc}) and loose objects are read through JGit afterwards, in parallel,
 * one reader per task.
 *
 * <p>A file is finished (closed, metadata applied, counted) by whichever thread writes its last chunk;
 * the walk holds one extra count on each file until it has added all its chunks. Used by one restore
 * walk (a single thread) at a time; close it to stop the pool.
 */
final class ContentWriter implements AutoCloseable {
    /*
     * Why the writes stay on the inflating threads rather than going to virtual threads: a write here is
     * a copy into the page cache, CPU work like the inflate, and handing each buffer to another thread
     * would need a second buffer and a hand-off per chunk. File creation and directory metadata stay on
     * the walk's thread, which keeps bup's order of operations.
     */

    static final int MAX_CHUNKS = 128 * 1024;
    static final int MAX_FILES = 16 * 1024;
    /** A run of sorted chunks handed to one thread spans at most this much of a pack. */
    private static final long RUN_SPAN = 4 << 20;
    private static final int RUN_MAX_CHUNKS = 2048;
    private static final int WINDOW = 1 << 20;
    private static final int OUT_BUFFER = 256 << 10;

    /** A file being written. Its fields other than the counter are fixed once made. */
    static final class Target {
        final Path path;
        final String vfsPath;
        final Runnable onDone;
        /** Chunks not yet written, plus one while the walk is still adding chunks. */
        final AtomicInteger pending = new AtomicInteger(1);

        Target(Path path, String vfsPath, Runnable onDone) {
            this.path = path;
            this.vfsPath = vfsPath;
            this.onDone = onDone;
        }
    }

    /** One chunk of one file: blob {@code id} (at {@code location}) goes at {@code fileOffset}. */
    private static final class Chunk {
        final long location;
        final ObjectId id;
        final Target target;
        final long fileOffset;
        /** The blob's size when the next chunk's offset tells it, else -1. */
        long expected = -1;

        Chunk(long location, ObjectId id, Target target, long fileOffset) {
            this.location = location;
            this.id = id;
            this.target = target;
            this.fileOffset = fileOffset;
        }
    }

    /** Receives the byte counts; called from the pool's threads. */
    interface Sink {
        /** {@code n} more content bytes were written. */
        void wrote(long n);
    }

    private final Repository repo;
    private final PackLocator packs;
    private final Sink sink;
    private final int threads;
    private final ExecutorService pool;
    private final List<Chunk> chunks = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final ConcurrentLinkedQueue<Chunk> deferred = new ConcurrentLinkedQueue<>();
    private Chunk last;
    private volatile boolean failed;

    ContentWriter(Repository repo, PackLocator packs, Sink sink) {
        this.repo = repo;
        this.packs = packs;
        this.sink = sink;
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(r, "burrow-restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(threads, f);
    }

    /** Starts a file at {@code path}, which exists and is empty; add its chunks, then {@link #seal} it. */
    Target start(Path path, String vfsPath, Runnable onDone) {
        Target t = new Target(path, vfsPath, onDone);
        targets.add(t);
        last = null;
        return t;
    }

    /**
     * Adds the next chunk of a file: blob {@code id} at {@code fileOffset}, which must be larger than the
     * previous chunk's. May write the segment so far (blocking) when it is full.
     */
    void add(Target t, ObjectId id, long fileOffset) throws IOException, InterruptedException {
        if (last != null && last.target == t) {
            if (fileOffset <= last.fileOffset) {
                throw new CorruptObjectException(id, t.vfsPath + ": chunk offsets do not increase (" + fileOffset
                        + " after " + last.fileOffset + ")");
            }
            last.expected = fileOffset - last.fileOffset;
        }
        t.pending.incrementAndGet();
        Chunk c = new Chunk(packs.locate(id), id, t, fileOffset);
        chunks.add(c);
        last = c;
        if (chunks.size() >= MAX_CHUNKS) {
            flush();
        }
    }

    /** The file has all its chunks; it is finished once they are written (now, if none is pending). */
    void seal(Target t) throws IOException, InterruptedException {
        last = null;
        release(t);
        if (targets.size() >= MAX_FILES) {
            flush();
        }
    }

    private static void release(Target t) {
        if (t.pending.decrementAndGet() == 0) {
            t.onDone.run();
        }
    }

    /** Writes everything added so far; blocks until it is on disk (in the page cache) and files are done. */
    void flush() throws IOException, InterruptedException {
        if (chunks.isEmpty()) {
            targets.clear();
            return;
        }
        try {
            chunks.sort((a, b) -> Long.compareUnsigned(a.location, b.location)); // NOT_FOUND (-1) sorts last
            List<Future<?>> runs = new ArrayList<>();
            int i = 0;
            int n = chunks.size();
            while (i < n && chunks.get(i).location != PackLocator.NOT_FOUND) {
                int from = i;
                long start = chunks.get(i).location;
                int pack = PackLocator.pack(start);
                while (i < n) {
                    long loc = chunks.get(i).location;
                    if (loc == PackLocator.NOT_FOUND || PackLocator.pack(loc) != pack) {
                        break;
                    }
                    boolean sameAsPrevious = i > from && loc == chunks.get(i - 1).location;
                    if (!sameAsPrevious && i > from
                            && (loc - start > RUN_SPAN || i - from >= RUN_MAX_CHUNKS)) {
                        break;
                    }
                    i++;
                }
                int runFrom = from;
                int runTo = i;
                runs.add(pool.submit(() -> {
                    writeRun(runFrom, runTo);
                    return null;
                }));
            }
            for (; i < n; i++) {
                deferred.add(chunks.get(i));
            }
            await(runs);
            if (!deferred.isEmpty()) {
                writeDeferred();
            }
        } finally {
            chunks.clear();
            targets.clear();
            deferred.clear();
            last = null;
        }
    }

    private void await(List<Future<?>> futures) throws IOException, InterruptedException {
        Throwable first = null;
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;   // stop the workers, but wait for them: they write into DEST
                    failed = true;
                } catch (ExecutionException e) {
                    failed = true;
                    if (first == null) {
                        first = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            throw new InterruptedException("restore interrupted");
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IOException(first);
        }
    }

    /** One thread's state: where it reads and the file it has open. */
    private static final class Worker implements AutoCloseable {
        final PackStream in = new PackStream(WINDOW);
        final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER);
        Target open;
        FileChannel channel;

        FileChannel channel(Target t) throws IOException {
            if (open != t) {
                closeFile();
                channel = FileChannel.open(t.path, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                open = t;
            }
            return channel;
        }

        void closeFile() throws IOException {
            if (channel != null) {
                FileChannel c = channel;
                channel = null;
                open = null;
                c.close();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                closeFile();
            } finally {
                in.close();
            }
        }
    }

    /** Reads chunks {@code [from, to)} (sorted, one pack) and writes them. */
    private void writeRun(int from, int to) throws IOException {
        try (Worker w = new Worker()) {
            int i = from;
            while (i < to) {
                if (failed) {
                    return;
                }
                int j = i + 1;
                while (j < to && chunks.get(j).location == chunks.get(i).location) {
                    j++;
                }
                writeObject(w, i, j);
                i = j;
            }
        }
    }

    /** Chunks {@code [i, j)} all need the object at the same location. */
    private void writeObject(Worker w, int i, int j) throws IOException {
        Chunk first = chunks.get(i);
        long loc = first.location;
        int pack = PackLocator.pack(loc);
        int type;
        try {
            type = w.in.open(packs.channel(pack), packs.packPath(pack), PackLocator.offset(loc));
        } catch (IOException e) {
            throw named(first, e);
        }
        if (type == PackStream.OFS_DELTA || type == PackStream.REF_DELTA) {
            for (int k = i; k < j; k++) {
                deferred.add(chunks.get(k));
            }
            return;
        }
        if (type != ObjectType.BLOB.packCode()) {
            throw new CorruptObjectException(first.id, first.target.vfsPath + ": content is an object of type "
                    + type + ", not a blob");
        }
        long size = w.in.size();
        for (int k = i; k < j; k++) {
            Chunk c = chunks.get(k);
            if (c.expected >= 0 && c.expected != size) {
                throw new CorruptObjectException(c.id, c.target.vfsPath + ": chunk at " + c.fileOffset + " is "
                        + size + " bytes, its chunk tree says " + c.expected);
            }
        }
        long done = 0;
        ByteBuffer out = w.out;
        while (true) {
            out.clear();
            int n;
            try {
                n = w.in.read(out);
            } catch (IOException e) {
                throw named(first, e);
            }
            if (n < 0) {
                break;
            }
            out.flip();
            for (int k = i; k < j; k++) {
                Chunk c = chunks.get(k);
                write(w, c, out.duplicate(), done);
            }
            done += n;
            sink.wrote((long) n * (j - i));
            if (failed) {
                return;
            }
        }
        for (int k = i; k < j; k++) {
            Target t = chunks.get(k).target;
            if (w.open == t && t.pending.get() == 1) {
                w.closeFile();   // its last chunk: close before the metadata goes on
            }
            release(t);
        }
    }

    private static void write(Worker w, Chunk c, ByteBuffer data, long done) throws IOException {
        try {
            FileChannel ch = w.channel(c.target);
            long pos = c.fileOffset + done;
            while (data.hasRemaining()) {
                pos += ch.write(data, pos);
            }
        } catch (IOException e) {
            throw new IOException(c.target.path + ": cannot write restored content: " + e.getMessage(), e);
        }
    }

    private static IOException named(Chunk c, IOException e) {
        return new IOException(c.target.vfsPath + ": cannot read its content (blob " + c.id.name() + "): "
                + e.getMessage(), e);
    }

    /** Delta and loose objects: read through JGit, in parallel, one reader per task. */
    private void writeDeferred() throws IOException, InterruptedException {
        List<Chunk> all = new ArrayList<>(deferred);
        deferred.clear();
        all.sort((a, b) -> a.id.compareTo(b.id));
        int parts = Math.min(threads, all.size());
        List<Future<?>> futures = new ArrayList<>();
        int from = 0;
        for (int p = 0; p < parts; p++) {
            int to = p == parts - 1 ? all.size() : Math.max(from, all.size() * (p + 1) / parts);
            while (to < all.size() && to > 0 && all.get(to).id.equals(all.get(to - 1).id)) {
                to++;   // keep the chunks of one object together
            }
            List<Chunk> part = all.subList(from, to);
            futures.add(pool.submit(() -> {
                writeWithJgit(part);
                return null;
            }));
            from = to;
            if (from >= all.size()) {
                break;
            }
        }
        await(futures);
    }

    private void writeWithJgit(List<Chunk> part) throws IOException {
        byte[] buf = new byte[OUT_BUFFER];
        try (ObjectReader reader = repo.newReader(); Worker w = new Worker()) {
            int i = 0;
            while (i < part.size()) {
                if (failed) {
                    return;
                }
                int j = i + 1;
                while (j < part.size() && part.get(j).id.equals(part.get(i).id)) {
                    j++;
                }
                Chunk first = part.get(i);
                long done = 0;
                try (InputStream in = reader.open(first.id)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        for (int k = i; k < j; k++) {
                            write(w, part.get(k), ByteBuffer.wrap(buf, 0, n), done);
                        }
                        done += n;
                        sink.wrote((long) n * (j - i));
                    }
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith(first.target.path.toString())) {
                        throw e;
                    }
                    throw named(first, e);
                }
                for (int k = i; k < j; k++) {
                    Chunk c = part.get(k);
                    if (c.expected >= 0 && c.expected != done) {
                        throw new CorruptObjectException(c.id, c.target.vfsPath + ": chunk at " + c.fileOffset + " is "
                                + done + " bytes, its chunk tree says " + c.expected);
                    }
                    if (w.open == c.target && c.target.pending.get() == 1) {
                        w.closeFile();
                    }
                    release(c.target);
                }
                i = j;
            }
        }
    }

    /** Stops the pool; its threads are idle by now (every flush waits for its tasks). */
    @Override
    public void close() {
        failed = true;
        pool.shutdownNow();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("restore threads did not stop within a minute");
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
