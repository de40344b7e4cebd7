package dev.burrow.core.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.burrow.core.meta.OpenFile;
import dev.burrow.core.store.CorruptObjectException;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.PackLocator;
import dev.burrow.core.store.PackStream;
import dev.burrow.core.store.Repository;

/**
 * Writes the content of restored files: the restore walk hands over, for each file, the blobs it is made
 * of and where each goes; this class creates the files, reads the blobs in pack order and writes them in
 * parallel, then has each file's metadata applied.
 *
 * <ul>
 *   <li>A file is created by the first thread that writes to it, and finished (its metadata applied through
 *       the same open file, {@link OpenFile}) by the one that writes its last chunk. Files the walk finishes
 *       (no content, or every chunk written before the walk sealed the file) are created or opened and
 *       finished on a few platform threads; at most {@link #IO_CONCURRENCY} such tasks are queued or
 *       running.</li>
 *   <li>Chunks are gathered in segments of at most {@link #MAX_CHUNKS} chunks and {@link #MAX_FILES}
 *       files. A full segment is sorted by location in the packs and cut into runs of a few MiB of pack,
 *       which a pool of platform threads sized to the cores reads ({@link PackStream}: each pack window
 *       read once, sequentially), inflates into a fixed buffer and writes with positional writes into
 *       every file that needs that blob (a blob shared by several files is read once). The walk goes on
 *       with the next segment meanwhile; at most two segments exist, so memory does not grow with the
 *       snapshot, and per thread it is one read window and one output buffer whatever the file sizes.</li>
 *   <li>Delta objects (packs rewritten by {@code git gc}) and loose objects are read through JGit once a
 *       segment's runs are done, in parallel, one reader per task.</li>
 * </ul>
 *
 * <p>A file is finished (metadata applied, counted) once its last chunk is written; the walk holds one
 * extra count on each file until it has added all its chunks. Errors name the file (its VFS path for
 * reads, its destination for writes) and stop the other threads at the next object. Called by one walk
 * thread; close it to stop the threads.
 */
final class ContentWriter implements AutoCloseable {
    /*
     * Why the content writes stay on the inflating threads: a write here is a copy into the page cache, CPU
     * work like the inflate, and handing each buffer to another thread would need a second buffer and a
     * hand-off per chunk. Files used to be created ahead on virtual threads and finished on the metadata
     * threads, each with an open of its own: three opens and two hand-offs per file, which on the 1 GiB
     * benchmark set cost more system time than the content writes. Now one open serves all three.
     */

    static final int MAX_CHUNKS = 32 * 1024;
    static final int MAX_FILES = 2 * 1024;
    static final int IO_CONCURRENCY = 32;
    /** Threads finishing the files the walk finishes: they mostly wait on the file system, so more than the cores. */
    private static final int META_THREADS = 4;
    /** A run of sorted chunks handed to one thread spans at most this much of a pack. */
    private static final long RUN_SPAN = 4 << 20;
    private static final int RUN_MAX_CHUNKS = 2048;
    private static final int WINDOW = 1 << 20;
    private static final int OUT_BUFFER = 256 << 10;
    /** Files each pool thread keeps open between chunks. */
    private static final int OPEN_FILES = 8;

    /** Makes room for a file and creates it empty and open, or fails naming it. */
    @FunctionalInterface
    interface Creator {
        OpenFile create() throws IOException;
    }

    /** Applies a complete file's metadata through the open file (which the writer closes afterwards). */
    @FunctionalInterface
    interface Finisher {
        void finish(OpenFile file);
    }

    /** A file being written. */
    static final class Target {
        final Path path;
        final String vfsPath;
        final Creator creator;
        final Finisher finisher;
        /** Set by the thread that creates the file; any other opens it once {@link #created}. */
        final AtomicBoolean claimed = new AtomicBoolean();
        final CompletableFuture<Void> created = new CompletableFuture<>();
        /** Chunks not yet written, plus one while the walk is still adding chunks. */
        final AtomicInteger pending = new AtomicInteger(1);

        Target(Path path, String vfsPath, Creator creator, Finisher finisher) {
            this.path = path;
            this.vfsPath = vfsPath;
            this.creator = creator;
            this.finisher = finisher;
        }

        /** Opens the file for writing: creates it if no other thread has, else waits for that one. */
        OpenFile open() throws IOException {
            if (claimed.compareAndSet(false, true)) {
                try {
                    OpenFile f = creator.create();
                    created.complete(null);
                    return f;
                } catch (Throwable e) {
                    created.completeExceptionally(e);
                    throw e;
                }
            }
            awaitCreated();
            return OpenFile.openExisting(path);
        }

        /** Waits until the file exists; throws what its creation threw. */
        void awaitCreated() throws IOException {
            try {
                created.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(path + ": cannot create: " + e.getCause(), e.getCause());
            }
        }
    }

    /** One chunk of one file: blob {@code id} (at {@code location}) goes at {@code fileOffset}. */
    private static final class Chunk {
        final long location;
        final ObjectId id;
        final Target target;
        final long fileOffset;
        /** The blob's size when the next chunk's offset tells it, else -1; set before the segment is queued. */
        long expected = -1;

        Chunk(long location, ObjectId id, Target target, long fileOffset) {
            this.location = location;
            this.id = id;
            this.target = target;
            this.fileOffset = fileOffset;
        }
    }

    /** The chunks handed over between two flushes, and what was started for them. */
    private static final class Segment {
        final List<Chunk> chunks = new ArrayList<>();
        final List<Future<?>> runs = new ArrayList<>();
        final ConcurrentLinkedQueue<Chunk> deferred = new ConcurrentLinkedQueue<>();
        int files;
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
    /** Files the walk finishes: libc calls through the FFM API, which pin a virtual thread's carrier. */
    private final ExecutorService meta;
    private final Semaphore ioSlots = new Semaphore(IO_CONCURRENCY);
    private final AtomicReference<Throwable> ioFailure = new AtomicReference<>();
    /** Idle per-thread buffers: at most one per pool thread is ever made. */
    private final ConcurrentLinkedQueue<Worker> workers = new ConcurrentLinkedQueue<>();
    private Segment current = new Segment();
    private Segment running;
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
        AtomicInteger m = new AtomicInteger();
        this.meta = Executors.newFixedThreadPool(META_THREADS, r -> {
            Thread t = new Thread(r, "burrow-restore-meta-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a file: {@code creator} makes it when it is first written (or here when {@code createNow}, for a
     * file that later entries may hard link to). Add its chunks, then {@link #seal} it; {@code finisher} runs
     * once it is complete, on the thread that completed it.
     */
    Target start(Path path, String vfsPath, Creator creator, boolean createNow, Finisher finisher)
            throws IOException {
        Target t = new Target(path, vfsPath, creator, finisher);
        current.files++;
        last = null;
        if (createNow) {
            t.open().close();
        }
        return t;
    }

    /**
     * Adds the next chunk of a file: blob {@code id} at {@code fileOffset}, which must be larger than the
     * previous chunk's. May queue the segment so far when it is full, and wait for the one before.
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
        current.chunks.add(c);
        last = c;
        if (current.chunks.size() >= MAX_CHUNKS) {
            queue();
        }
    }

    /** The file has all its chunks; it is finished once they are written (now, if none is pending). */
    void seal(Target t) throws IOException, InterruptedException {
        last = null;
        release(t);
        if (current.files >= MAX_FILES) {
            queue();
        }
    }

    /** The walk's count on the file: if it was the last, the file is finished on a metadata thread. */
    private void release(Target t) {
        if (t.pending.decrementAndGet() == 0) {
            runIo(() -> {
                try (OpenFile f = t.open()) {
                    t.finisher.finish(f);
                }
            });
        }
    }

    /** Runs a file-system task; waits while {@link #IO_CONCURRENCY} are queued or running. */
    private void runIo(IoTask task) {
        ioSlots.acquireUninterruptibly();
        try {
            meta.execute(() -> {
                try {
                    task.run();
                } catch (Throwable e) {
                    ioFailure.compareAndSet(null, e);
                    failed = true;
                } finally {
                    ioSlots.release();
                }
            });
        } catch (RuntimeException e) {
            ioSlots.release();
            throw e;
        }
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws Exception;
    }

    /** Queues the current segment for writing after waiting for the previous one. */
    private void queue() throws IOException, InterruptedException {
        last = null;
        Segment s = current;
        current = new Segment();
        if (running != null) {
            Segment r = running;
            running = null;
            complete(r);
        }
        submit(s);
        running = s;
    }

    /**
     * Writes everything handed over so far and waits until every file started so far is finished
     * (metadata included).
     */
    void flush() throws IOException, InterruptedException {
        queue();
        Segment r = running;
        running = null;
        complete(r);
        ioSlots.acquireUninterruptibly(IO_CONCURRENCY);   // every file-system task has finished
        ioSlots.release(IO_CONCURRENCY);
        rethrowIoFailure();
    }

    private void rethrowIoFailure() throws IOException {
        rethrow(ioFailure.get());
    }

    /** Throws {@code e} as it is if it is unchecked or an IOException, else wrapped in one; nothing if null. */
    private static void rethrow(Throwable e) throws IOException {
        if (e == null) {
            return;
        }
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IOException(e);
    }

    private void submit(Segment s) {
        List<Chunk> chunks = s.chunks;
        chunks.sort((a, b) -> Long.compareUnsigned(a.location, b.location)); // NOT_FOUND (-1) sorts last
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
                if (!sameAsPrevious && i > from && (loc - start > RUN_SPAN || i - from >= RUN_MAX_CHUNKS)) {
                    break;
                }
                i++;
            }
            int runFrom = from;
            int runTo = i;
            s.runs.add(pool.submit(() -> {
                writeRun(s, runFrom, runTo);
                return null;
            }));
        }
        for (; i < n; i++) {
            s.deferred.add(chunks.get(i));
        }
    }

    /** Waits for a segment's runs, then writes its delta and loose objects. */
    private void complete(Segment s) throws IOException, InterruptedException {
        try {
            await(s.runs);
            if (!s.deferred.isEmpty()) {
                writeDeferred(s);
            }
            rethrowIoFailure();
        } finally {
            s.chunks.clear();
            s.runs.clear();
            s.deferred.clear();
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
        rethrow(first);
    }

    /**
     * One thread's state: where it reads, and the files it has open. Several, because in pack order the
     * chunks of files that share content (a copy being edited, a disk image and its snapshot) take turns;
     * with one open file each turn cost an open and a close.
     */
    private static final class Worker implements AutoCloseable {
        final PackStream in = new PackStream(WINDOW);
        final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER);
        private final Target[] open = new Target[OPEN_FILES];
        private final OpenFile[] files = new OpenFile[OPEN_FILES];
        /**
         * The file whose bytes {@code out[0, position)} are, from {@code pendingAt} on, not yet written, and how
         * many of its chunks they complete (released once written). Null when nothing is pending.
         */
        Target pending;
        long pendingAt;
        int pendingChunks;
        /** The slot to reuse next when all are taken: round robin, which is enough for a handful of files. */
        private int victim;

        OpenFile file(Target t) throws IOException {
            int free = -1;
            for (int i = 0; i < OPEN_FILES; i++) {
                if (open[i] == t) {
                    return files[i];
                }
                if (free < 0 && open[i] == null) {
                    free = i;
                }
            }
            if (free < 0) {
                free = victim;
                victim = (victim + 1) % OPEN_FILES;
                closeSlot(free);
            }
            files[free] = t.open();
            open[free] = t;
            return files[free];
        }

        /** Closes {@code t} if this worker has it open. */
        void closeFile(Target t) throws IOException {
            for (int i = 0; i < OPEN_FILES; i++) {
                if (open[i] == t) {
                    closeSlot(i);
                    return;
                }
            }
        }

        void closeFiles() throws IOException {
            IOException first = null;
            for (int i = 0; i < OPEN_FILES; i++) {
                try {
                    closeSlot(i);
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }

        private void closeSlot(int i) throws IOException {
            OpenFile f = files[i];
            if (f != null) {
                files[i] = null;
                open[i] = null;
                f.close();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                closeFiles();
            } finally {
                in.close();
            }
        }
    }

    /** Reads the segment's chunks {@code [from, to)} (sorted, one pack) and writes them. */
    private void writeRun(Segment s, int from, int to) throws IOException {
        List<Chunk> chunks = s.chunks;
        Worker w = worker();
        try {
            int i = from;
            while (i < to) {
                if (failed) {
                    return;
                }
                int j = i + 1;
                while (j < to && chunks.get(j).location == chunks.get(i).location) {
                    j++;
                }
                writeObject(w, s, i, j);
                i = j;
            }
            if (!failed) {
                flushPending(w);
            }
        } finally {
            w.pending = null;   // after a failure: nothing more is written, and nobody waits for the file
            w.pendingChunks = 0;
            idle(w);
        }
    }

    private Worker worker() {
        Worker w = workers.poll();
        return w != null ? w : new Worker();
    }

    /** Closes the worker's files and keeps its buffers for the next run. */
    private void idle(Worker w) throws IOException {
        try {
            w.closeFiles();
        } finally {
            workers.add(w);
        }
    }

    /** Chunks {@code [i, j)} of the segment all need the object at the same location. */
    private void writeObject(Worker w, Segment s, int i, int j) throws IOException {
        List<Chunk> chunks = s.chunks;
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
                s.deferred.add(chunks.get(k));
            }
            return;
        }
        if (type != ObjectType.BLOB.packCode()) {
            throw new CorruptObjectException(first.id, first.target.vfsPath + ": content is an object of type "
                    + type + ", not a blob");
        }
        long size = w.in.size();
        for (int k = i; k < j; k++) {
            checkSize(chunks.get(k), size);
        }
        if (j == i + 1) {
            gather(w, first, size);
            return;
        }
        flushPending(w);
        long done = 0;
        ByteBuffer out = w.out;
        while (true) {
            out.clear();
            int n = read(w, first, out);
            if (n < 0) {
                break;
            }
            out.flip();
            for (int k = i; k < j; k++) {
                out.position(0);   // rewound rather than duplicated: no garbage per write
                write(w, chunks.get(k), out, done);
            }
            done += n;
            sink.wrote((long) n * (j - i));
            if (failed) {
                return;
            }
        }
        for (int k = i; k < j; k++) {
            written(w, chunks.get(k).target);
        }
    }

    /**
     * Inflates the open object, the only chunk that needs it, into the worker's buffer after the bytes pending for
     * the same file, if it continues them; they are written together later. In pack order a large file's chunks
     * mostly follow each other, so this turns a positional write per chunk (8 KiB on average: 155,000 calls for
     * the 1 GiB benchmark set) into one per buffer. A chunk's file is not released before its bytes are written.
     */
    private void gather(Worker w, Chunk c, long size) throws IOException {
        ByteBuffer out = w.out;
        if (w.pending != null && (w.pending != c.target || w.pendingAt + out.position() != c.fileOffset)) {
            flushPending(w);
        } else if (w.pending != null && size > out.remaining()) {
            writePending(w);   // room for the whole object, so PackStream inflates it in one call
        }
        if (w.pending == null) {
            out.clear();
            w.pending = c.target;
            w.pendingAt = c.fileOffset;
        }
        while (true) {
            if (!out.hasRemaining()) {
                writePending(w);   // an object larger than the buffer
            }
            int n = read(w, c, out);
            if (n < 0) {
                break;
            }
            sink.wrote(n);
            if (failed) {
                return;
            }
        }
        w.pendingChunks++;
    }

    /** Inflates more of the worker's open object into {@code out}; -1 at its end. Errors name {@code c}'s file. */
    private static int read(Worker w, Chunk c, ByteBuffer out) throws IOException {
        try {
            return w.in.read(out);
        } catch (IOException e) {
            throw named(c, e);
        }
    }

    /** Writes the worker's pending bytes and releases the chunks they complete. */
    private void flushPending(Worker w) throws IOException {
        Target t = w.pending;
        if (t == null) {
            return;
        }
        writePending(w);
        int chunks = w.pendingChunks;
        w.pending = null;
        w.pendingChunks = 0;
        for (int k = 0; k < chunks; k++) {
            written(w, t);
        }
    }

    /** Writes the worker's pending bytes; the file stays pending, at the offset after them. */
    private static void writePending(Worker w) throws IOException {
        ByteBuffer out = w.out;
        out.flip();
        int n = out.remaining();
        try {
            w.file(w.pending).write(out, w.pendingAt);
        } catch (IOException e) {
            throw new IOException(w.pending.path + ": cannot write restored content: " + e.getMessage(), e);
        }
        w.pendingAt += n;
        out.clear();
    }

    private static void checkSize(Chunk c, long size) throws CorruptObjectException {
        if (c.expected >= 0 && c.expected != size) {
            throw new CorruptObjectException(c.id, c.target.vfsPath + ": chunk at " + c.fileOffset + " is " + size
                    + " bytes, its chunk tree says " + c.expected);
        }
    }

    /** One chunk of {@code t} is written; after its last, the file is finished through this worker's open file. */
    private static void written(Worker w, Target t) throws IOException {
        if (t.pending.decrementAndGet() == 0) {
            t.finisher.finish(w.file(t));
            w.closeFile(t);
        }
    }

    private static void write(Worker w, Chunk c, ByteBuffer data, long done) throws IOException {
        try {
            w.file(c.target).write(data, c.fileOffset + done);
        } catch (IOException e) {
            throw new IOException(c.target.path + ": cannot write restored content: " + e.getMessage(), e);
        }
    }

    private static IOException named(Chunk c, IOException e) {
        return new IOException(c.target.vfsPath + ": cannot read its content (blob " + c.id.name() + "): "
                + e.getMessage(), e);
    }

    /** Delta and loose objects: read through JGit, in parallel, one reader per task. */
    private void writeDeferred(Segment s) throws IOException, InterruptedException {
        List<Chunk> all = new ArrayList<>(s.deferred);
        all.sort((a, b) -> a.id.compareTo(b.id));
        int parts = Math.min(threads, all.size());
        List<Future<?>> futures = new ArrayList<>();
        int from = 0;
        for (int p = 0; p < parts && from < all.size(); p++) {
            int to = p == parts - 1 ? all.size() : Math.max(from + 1, all.size() * (p + 1) / parts);
            while (to < all.size() && all.get(to).id.equals(all.get(to - 1).id)) {
                to++;   // keep the chunks of one object together
            }
            List<Chunk> part = all.subList(from, to);
            futures.add(pool.submit(() -> {
                writeWithJgit(part);
                return null;
            }));
            from = to;
        }
        await(futures);
    }

    private void writeWithJgit(List<Chunk> part) throws IOException {
        byte[] buf = new byte[OUT_BUFFER];
        Worker w = worker();
        try (ObjectReader reader = repo.newReader()) {
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
                InputStream in;
                try {
                    in = reader.open(first.id);
                } catch (IOException e) {
                    throw named(first, e);
                }
                try (in) {
                    while (true) {
                        int n;
                        try {
                            n = in.read(buf);
                        } catch (IOException e) {
                            throw named(first, e);
                        }
                        if (n < 0) {
                            break;
                        }
                        for (int k = i; k < j; k++) {
                            write(w, part.get(k), ByteBuffer.wrap(buf, 0, n), done);
                        }
                        done += n;
                        sink.wrote((long) n * (j - i));
                    }
                }
                for (int k = i; k < j; k++) {
                    checkSize(part.get(k), done);
                    written(w, part.get(k).target);
                }
                i = j;
            }
        } finally {
            idle(w);
        }
    }

    /** Stops the threads; they are idle by now unless a restore failed (every flush waits for its work). */
    @Override
    public void close() {
        failed = true;
        boolean interrupted = false;
        try {
            if (running != null) {
                for (Future<?> f : running.runs) {
                    while (true) {
                        try {
                            f.get();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        } catch (ExecutionException e) {
                            break;   // already failing; the first error is being thrown
                        }
                    }
                }
                running = null;
            }
            pool.shutdown();
            meta.shutdown();
            while (true) {
                try {
                    if (!pool.awaitTermination(1, TimeUnit.MINUTES) || !meta.awaitTermination(1, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("restore threads did not stop within a minute");
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (Worker w; (w = workers.poll()) != null; ) {
                try {
                    w.close();
                } catch (IOException e) {
                    // Only a file's close can fail here, and every file was closed after its last write.
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
