package dev.burrow.core.backup;

import dev.burrow.core.index.FileIndex;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.split.HashSplitter;
import dev.burrow.core.split.SplitCursor;
import dev.burrow.core.store.ObjectInserter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stages of a save that run beside the writer (the thread that called {@link Saver#save}).
 *
 * <pre>
 *  walker (virtual) ──steps──────────────────────────────────────────────────────▶ writer (caller)
 *    │ metadata reads (virtual, ≤16 at once, ≤64 ahead)                                ▲
 *    └──files──▶ reader (virtual) ──segments──▶ splitter (platform) ──batches──▶ hashers (platform × cores)
 *                   ▲ waits for a free block                 └──── same batches, in order ─────┘
 * </pre>
 *
 * <p>The walker emits the serial save's steps; the reader reads regular files in that order into a fixed
 * ring of {@link Block}s; the splitter cuts them into chunks exactly as bup does (a file's splitting is
 * sequential) and groups consecutive chunks into {@link ChunkBatch}es; the hashers compute ids, check the
 * repository and compress, several batches at once; the writer takes the batches back in their original
 * order, so it stores the same objects in the same order as a serial save, and the pack bytes do not depend
 * on timing. Memory is bounded by the blocks, batches and queues, whatever the size of the input.
 *
 * <p>If a stage fails, the failure is kept and the writer is interrupted; {@link #close} stops every stage
 * (by interrupt) and waits for it, and is called before the inserter is closed.
 */
final class SavePipeline implements AutoCloseable {
    /**
     * Read blocks of {@link Block#PART} (1 MiB): enough for the reader to fill one while the batches in flight
     * (2 x hashers + 4 of up to 256 KiB) hold chunks of others until they are written.
     */
    static final int BLOCKS = 6;
    /** How long the splitter waits for more input before handing over a batch that is not full. */
    static final long IDLE_FLUSH_MICROS = 500;

    private final BlockingQueue<Step> steps = new ArrayBlockingQueue<>(1024);
    private final BlockingQueue<SaveReader.FileRead> files = new ArrayBlockingQueue<>(1024);
    private final BlockingQueue<SaveReader.Segment> segments = new ArrayBlockingQueue<>(BLOCKS * 2);
    private final BlockingQueue<ChunkBatch> freeBatches;
    private final BlockingQueue<ChunkBatch> ordered;
    private final BlockingQueue<ChunkBatch> work;
    private final Block.Pool blocks = new Block.Pool(BLOCKS);
    private final ExecutorService metaThreads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("burrow-save-meta-", 0).factory());
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread writer = Thread.currentThread();
    private volatile boolean closing;

    // Splitter state (splitter thread only).
    // Made with the first file to split: choosing the chunker loads the native library and runs its self-check,
    // which an unchanged re-save that reads no file does not need.
    private SplitCursor cursor;
    private final HashSplitter.ChunkSink sink = this::chunk;
    private ChunkBatch batch;
    private Block sinkBlock;
    /** The rest of a read being gathered because a cut depends on it (see SplitCursor#processPart), or null. */
    private Block gather;
    private int gatherEnd;

    // Chunk stream state (writer thread only).
    private ChunkBatch current;
    private int index = -1;

    private SavePipeline(int hashers) {
        int batches = 2 * hashers + 4;
        freeBatches = new ArrayBlockingQueue<>(batches);
        ordered = new ArrayBlockingQueue<>(batches);
        work = new ArrayBlockingQueue<>(batches);
        for (int i = 0; i < batches; i++) {
            freeBatches.add(new ChunkBatch());
        }
    }

    /** The hashing threads a save uses by default: one per core. */
    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Starts every stage on {@code root}; the caller becomes the writer and must close this.
     *
     * @param index the filesystem index whose unchanged files are not read, or null
     */
    static SavePipeline start(VirtualDir root, ObjectInserter inserter, FileIndex index, int compression,
                              int hashers, SaveProgress progress) {
        SavePipeline p = new SavePipeline(hashers);
        try {
            ReadAhead readAhead = new ReadAhead();
            SaveWalker walker = new SaveWalker(p.steps, p.files, readAhead, p.metaThreads, progress, index, inserter);
            SaveReader reader = new SaveReader(p.files, p.segments, p.blocks, readAhead, progress);
            p.threads.add(Thread.ofVirtual().name("burrow-save-walk").unstarted(p.guard(() -> walker.run(root))));
            p.threads.add(Thread.ofVirtual().name("burrow-save-read").unstarted(p.guard(reader::run)));
            p.threads.add(Thread.ofPlatform().name("burrow-save-split").daemon().unstarted(p.guard(p::split)));
            for (int i = 0; i < hashers; i++) {
                ChunkHasher hasher = new ChunkHasher(inserter, compression);
                p.threads.add(Thread.ofPlatform().name("burrow-save-hash-" + i).daemon()
                        .unstarted(p.guard(() -> p.hash(hasher))));
            }
            for (Thread t : p.threads) {
                t.start();
            }
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    @FunctionalInterface
    private interface Stage {
        void run() throws IOException, InterruptedException;
    }

    private Runnable guard(Stage stage) {
        return new StageRun(this, stage);
    }

    /**
     * A stage as its thread's task. It lets go of the stage and the pipeline once done: the JVM may still hold a
     * finished thread, and so its task, for a moment after {@link #close} joined it, and the blocks must be
     * collectable as soon as the pipeline is closed (see {@link Saver}).
     */
    private static final class StageRun implements Runnable {
        private SavePipeline pipeline;
        private Stage stage;

        StageRun(SavePipeline pipeline, Stage stage) {
            this.pipeline = pipeline;
            this.stage = stage;
        }

        @Override
        public void run() {
            SavePipeline p = pipeline;
            try {
                stage.run();
            } catch (InterruptedException e) {
                if (!p.closing) {
                    p.fail(e);
                }
            } catch (Throwable t) {
                if (!p.closing) {
                    p.fail(t);
                }
            } finally {
                pipeline = null;
                stage = null;
            }
        }
    }

    private void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            writer.interrupt();
        }
    }

    /**
     * Called by the writer when it was interrupted: throws the failure of a stage, if one failed (and clears the
     * interrupt that failure caused); else returns and the interrupt is the caller's.
     */
    void rethrowFailure() throws IOException {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        Thread.interrupted();
        switch (t) {
            case IOException io -> throw io;
            case RuntimeException r -> throw r;
            case Error e -> throw e;
            default -> throw new IOException("save stage failed: " + t, t);
        }
    }

    // ---- splitter --------------------------------------------------------------------------------------

    private void split() throws IOException, InterruptedException {
        int prevEnd = 0;
        while (true) {
            SaveReader.Segment s = segments.poll();
            if (s == null && batch != null) {
                // Small files arrive one by one: wait a moment to fill the batch rather than hand each over alone.
                s = segments.poll(IDLE_FLUSH_MICROS, TimeUnit.MICROSECONDS);
            }
            if (s == null) {
                // Nothing to split: let the writer have what is ready (it may be waiting for it, and the reader
                // for the blocks it holds) rather than wait with it.
                submitBatch();
                s = segments.take();
            }
            if (s == SaveReader.Segment.END) {
                submitBatch();
                return;
            }
            Block block = s.block();
            if (block == null && gather != null) {
                gather.release();   // the file's read failed while its read was gathered: the writer skips it
                gather = null;
            }
            if (block != null) {
                if (cursor == null) {
                    cursor = new SplitCursor(Chunkers.best());
                }
                try {
                    if (gather != null) {
                        prevEnd = gatherPart(s);
                    } else {
                        if (s.first()) {
                            cursor.reset(s.from());
                        } else if (s.carried()) {
                            cursor.rebase(s.from() - (prevEnd - cursor.start()));
                        }
                        splitPart(s);
                        prevEnd = s.end();
                    }
                } finally {
                    sinkBlock = null;
                    block.release();
                }
            }
            if (s.eof()) {
                batch().addFileEnd(s.file());
                if (batch.isFull()) {
                    submitBatch();
                }
            }
        }
    }

    /** Splits a segment in its block. */
    private void splitPart(SaveReader.Segment s) throws IOException {
        Block block = s.block();
        sinkBlock = block;
        if (!s.readEnds()) {
            if (!cursor.processPart(block.data, s.end(), sink)) {
                // Rare (a boundary right after a forced cut): the cut depends on the rest of the read.
                gather = Block.oversized();
                gatherEnd = s.end() - cursor.start();
                System.arraycopy(block.data, cursor.start(), gather.data, 0, gatherEnd);
                cursor.gatherAt(0);
            }
            return;
        }
        if (s.end() > s.from()) {
            cursor.process(block.data, s.end(), sink);
        }
        if (s.eof()) {
            cursor.finish(block.data, s.end(), sink);
        }
    }

    /** Appends a segment to the read being gathered, and splits the read once it is whole; returns its end. */
    private int gatherPart(SaveReader.Segment s) throws IOException {
        byte[] data = s.block().data;
        cursor.gathered(data, s.from(), s.end());
        System.arraycopy(data, s.from(), gather.data, gatherEnd, s.end() - s.from());
        gatherEnd += s.end() - s.from();
        if (!s.readEnds()) {
            return gatherEnd;
        }
        Block whole = gather;
        gather = null;
        try {
            sinkBlock = whole;
            cursor.process(whole.data, gatherEnd, sink);
            if (s.eof()) {
                cursor.finish(whole.data, gatherEnd, sink);
            }
        } finally {
            whole.release();   // its chunks hold it until they are written
        }
        return gatherEnd;
    }

    private void chunk(byte[] buf, int off, int len, int level) throws IOException {
        try {
            batch().addChunk(sinkBlock, off, len, level);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("save interrupted");
        }
        if (batch.isFull()) {
            submitBatch();
        }
    }

    private ChunkBatch batch() throws InterruptedException {
        if (batch == null) {
            batch = freeBatches.take();
        }
        return batch;
    }

    private void submitBatch() {
        if (batch == null || batch.count == 0) {
            return;
        }
        // Both queues hold every batch there is, so neither put can block.
        ordered.add(batch);
        work.add(batch);
        batch = null;
    }

    // ---- hashers ---------------------------------------------------------------------------------------

    private void hash(ChunkHasher hasher) throws InterruptedException {
        try {
            while (true) {
                ChunkBatch b = work.take();
                hasher.process(b);
                b.done.release();
            }
        } finally {
            hasher.end();
        }
    }

    // ---- the writer's side -----------------------------------------------------------------------------

    /** The next step of the walk; blocks until there is one. */
    Step nextStep() throws InterruptedException {
        return steps.take();
    }

    /**
     * Moves to the next entry of the chunk stream and returns its batch; {@link #index()} is the entry's
     * position in it. Blocks until the batch is hashed. The previous batch is recycled.
     */
    ChunkBatch nextEntry() throws InterruptedException {
        if (current != null && ++index < current.count) {
            return current;
        }
        if (current != null) {
            current.clear();
            freeBatches.add(current);
            current = null;
        }
        ChunkBatch b = ordered.take();
        b.done.acquire();
        current = b;
        index = 0;
        return b;
    }

    int index() {
        return index;
    }

    /** Stops every stage and waits for it. */
    @Override
    public void close() {
        closing = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        metaThreads.shutdownNow();
        boolean interrupted = false;
        for (Thread t : threads) {
            interrupted |= Joins.joinUninterruptibly(t);
        }
        metaThreads.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
