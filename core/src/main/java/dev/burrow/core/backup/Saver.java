package dev.burrow.core.backup;

import dev.burrow.core.index.FileIndex;
import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.split.ChunkTreeBuilder;
import dev.burrow.core.split.HashSplitter;
import dev.burrow.core.split.SplitCursor;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;
import dev.burrow.core.store.TreeFormatter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code burrow save}: writes a snapshot of files and directories as bup does (spec §4–§7) and moves the
 * branch to it.
 *
 * <p>The calling thread is the writer: it replays the walk's steps in a serial save's order, stores each
 * chunk as it comes back hashed and compressed from the {@link SavePipeline}, and builds the chunk trees,
 * {@code .bupm} streams and directory trees; so the pack holds the same objects in the same order, and the
 * same bytes, as a serial save would write. Reading, splitting, hashing and compressing run ahead of it on
 * other threads, within a fixed amount of memory. The ref moves only after the pack is complete and synced,
 * so an interrupted, killed or failed save leaves the branch as it was.
 *
 * <p>Blocks the calling thread until done; interrupt it to cancel (every stage stops before this returns).
 */
public final class Saver {
    private static final System.Logger LOG = System.getLogger(Saver.class.getName());
    private static final byte[] BUP_SUFFIX = {'.', 'b', 'u', 'p'};
    private static final byte[] BUPL_SUFFIX = {'.', 'b', 'u', 'p', 'l'};
    private static final byte[] BUPM = {'.', 'b', 'u', 'p', 'm'};
    /**
     * New bytes after which a save that records into the filesystem index flushes its pack and makes the
     * index's journal durable, so that a save interrupted later resumes without reading those files again.
     * Counted in bytes, not time, so that pack boundaries, like pack contents, do not depend on timing.
     * The system property {@code burrow.save.checkpointBytes} overrides it (tests use small values).
     */
    static final long CHECKPOINT_BYTES = Long.getLong("burrow.save.checkpointBytes", 256L << 20);

    private final SaveProgress progress;
    private final ObjectInserter inserter;
    private final SavePipeline pipeline;
    /** Made on first use: a re-save that reuses every directory splits nothing and need not load a chunker. */
    private SplitCursor bupmCursor;
    private final ChunkTreeBuilder builder;
    private final byte[] id = new byte[ObjectId.LENGTH];
    private final Map<String, byte[]> hardlinks = new HashMap<>();
    private final FileIndex.Recorder recorder;
    private long nextCheckpoint;

    private Saver(ObjectInserter inserter, SaveProgress progress, SavePipeline pipeline, FileIndex.Recorder recorder) {
        this.inserter = inserter;
        this.progress = progress;
        this.pipeline = pipeline;
        this.recorder = recorder;
        this.builder = new ChunkTreeBuilder(inserter);
        this.nextCheckpoint = CHECKPOINT_BYTES;
    }

    /**
     * Saves {@code request.sources()} as a new snapshot on branch {@code request.name()}.
     *
     * @throws NoSuchFileException if a source does not exist (nothing is written then)
     * @throws InterruptedException if the calling thread was interrupted; the branch is unchanged
     */
    public static SaveResult save(Repository repo, SaveRequest request, ProgressListener listener)
            throws IOException, InterruptedException {
        return save(repo, request, listener, SavePipeline.defaultThreads());
    }

    /** As {@link #save(Repository, SaveRequest, ProgressListener)}, with {@code hashers} hashing threads. */
    static SaveResult save(Repository repo, SaveRequest request, ProgressListener listener, int hashers)
            throws IOException, InterruptedException {
        if (!Repository.isValidBranchName(request.name())) {
            throw new IllegalArgumentException("invalid backup set name '" + request.name()
                    + "': use letters, digits, '-', '_' or '.', not starting with '.' or '-'");
        }
        String ref = "refs/heads/" + request.name();
        VirtualDir root = SnapshotLayout.plan(request.sources(), request.rewrite());
        listener.started(-1, -1);
        if (!listener.wantsTotals()) {
            return saveSnapshot(repo, request, listener, hashers, ref, root);
        }
        try (TotalsMeasure measure = TotalsMeasure.start(request.sources(), listener)) {
            SaveResult result = saveSnapshot(repo, request, listener, hashers, ref, root);
            measure.await();
            return result;
        }
    }

    private static SaveResult saveSnapshot(Repository repo, SaveRequest request, ProgressListener listener,
                                           int hashers, String ref, VirtualDir root)
            throws IOException, InterruptedException {
        Optional<ObjectId> parent = repo.readRef(ref);
        SaveProgress progress = new SaveProgress(listener);
        FileIndex index = request.useIndex() ? openIndex(repo, request.sources()) : null;
        FileIndex.Recorder recorder = index == null ? null : startRecording(index);
        try (ObjectInserter inserter = repo.newInserter()) {
            inserter.setCompression(request.compression());
            ObjectId tree = writeTree(root, inserter, index, recorder, request.compression(), hashers, progress);
            if (progress.bytesRead() > 0) {
                // The pipeline's two 8 MiB read blocks are garbage now, but the serial collector would keep them,
                // and the heap pages under them, until the old generation fills. What follows (the last pack's
                // trailer, the bloom filter, the index merge) maps files on top of the heap: collecting here lets
                // the heap shrink first (./burrow runs a save with -XX:-ShrinkHeapInSteps), so the end of a save
                // is no longer its RSS peak. One full collection of a few MiB live, 10-20 ms.
                System.gc();
            }
            String commit = CommitWriter.format(tree, parent.orElse(null), request.date(), "save", request.argv());
            ObjectId commitId = inserter.insert(ObjectType.COMMIT, commit);
            checkInterrupted();
            // The last pack's trailer and sync (0.1-0.3 s) run on the inserter's thread while this one merges the
            // index. Committing the index before the snapshot is safe: its entries are hints, and the next save
            // reuses one only when its object is in the repository.
            inserter.flushInBackground(null);
            if (recorder != null) {
                // The walk's lookups are over: unmap the index before the merge maps it again, so that its pages,
                // touched all over by the lookups, do not count twice in the save's peak RSS.
                if (index != null) {
                    index.close();
                    index = null;
                }
                commitIndex(recorder);
            }
            inserter.flush();
            repo.updateRef(ref, parent, commitId);
            refreshLookupFiles(repo);
            LOG.log(System.Logger.Level.INFO, "saved {0} files, {1} bytes into {2} as {3}", progress.files(),
                    progress.bytesRead(), ref, commitId.name());
            return new SaveResult(commitId, tree, progress.files(), progress.bytesRead(), inserter.bytesWritten(),
                    progress.skipped(), progress.unchanged());
        } finally {
            if (recorder != null) {
                // After a commit this does nothing; else it keeps the journal, from which the next save resumes.
                closeQuietly(recorder);
            }
            if (index != null) {
                index.close();
            }
        }
    }

    /** Runs the pipeline in a frame of its own, so that the caller's keeps none of it reachable afterwards. */
    private static ObjectId writeTree(VirtualDir root, ObjectInserter inserter, FileIndex index,
                                      FileIndex.Recorder recorder, int compression, int hashers, SaveProgress progress)
            throws IOException, InterruptedException {
        try (SavePipeline pipeline = SavePipeline.start(root, inserter, index, compression, hashers, progress)) {
            try {
                return new Saver(inserter, progress, pipeline, recorder).writeAll();
            } catch (InterruptedException | InterruptedIOException | ClosedByInterruptException e) {
                // An interrupt (the caller's, or a failing stage's) that found this thread writing a pack or the
                // index journal closes that channel: it is the same cancellation.
                pipeline.rethrowFailure();
                throw e instanceof InterruptedException ie ? ie : interrupted(e);
            }
        }
    }

    /**
     * Updates the midx and bloom files after a save, as bup does. They only speed up later lookups, so a
     * failure here (a full disk, say) is logged and does not undo the save.
     */
    static void refreshLookupFiles(Repository repo) {
        try {
            repo.refreshLookupFiles();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Saved, but could not update the lookup files in {0}: {1}",
                    repo.packDirectory(), e.getMessage());
        }
    }

    /** The sources' filesystem index, or null (with a warning) when it cannot be opened: then every file is read. */
    private static FileIndex openIndex(Repository repo, List<Path> sources) {
        Path file = FileIndex.defaultFile(repo.directory(), normalize(sources));
        try {
            return FileIndex.open(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Reading every file: cannot open the index {0}: {1}", file,
                    e.getMessage());
            return null;
        }
    }

    /** A recorder for this save's results, or null (with a warning) when another save is recording. */
    private static FileIndex.Recorder startRecording(FileIndex index) {
        try {
            return index.record();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "This save will not update the index {0}: {1}", index.file(),
                    e.getMessage());
            return null;
        }
    }

    private static void commitIndex(FileIndex.Recorder recorder) {
        try {
            recorder.commit();
        } catch (IOException e) {
            // The snapshot is complete; the index only makes the next save faster.
            LOG.log(System.Logger.Level.WARNING, "Saved, but could not update the index: {0}", e.getMessage());
        }
    }

    private static void closeQuietly(FileIndex.Recorder recorder) {
        try {
            recorder.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not keep the index journal: {0}", e.getMessage());
        }
    }

    static InterruptedException interrupted(Exception cause) {
        InterruptedException ie = new InterruptedException("save interrupted");
        ie.initCause(cause);
        return ie;
    }

    static void checkInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("save interrupted");
        }
    }

    /** A directory whose tree is being written: its entries so far and its .bupm stream. */
    private static final class OpenDir {
        final byte[] name;
        final Path path;
        final Metadata meta;
        /** The directory is recorded in the index when it ends (it was read from disk). */
        final boolean indexed;
        final TreeFormatter tree = new TreeFormatter();
        final ByteArrayOutputStream bupm = new ByteArrayOutputStream();
        boolean nameRightAfterBupm;

        OpenDir(Step start) {
            this.name = start.name;
            this.path = start.path;
            this.meta = start.meta;
            this.indexed = start.countsAsFile;
            bupm.writeBytes(meta.encode());
        }

        void add(int mode, byte[] mangled, ObjectId id) {
            tree.add(mode, mangled, id);
            // ".bupm" then a byte below '/', e.g. ".bupm.bupl" (a file named .bupm): see storeBupm.
            if (mangled.length > BUPM.length && Arrays.equals(mangled, 0, BUPM.length, BUPM, 0, BUPM.length)
                    && (mangled[BUPM.length] & 0xff) < '/') {
                nameRightAfterBupm = true;
            }
        }
    }

    /** Replays the walk; returns the root tree's id. */
    private ObjectId writeAll() throws IOException, InterruptedException {
        ArrayDeque<OpenDir> open = new ArrayDeque<>();
        while (true) {
            checkInterrupted();
            Step s = pipeline.nextStep();
            switch (s.kind) {
                case DIR_START -> open.push(new OpenDir(s));
                case DIR_END -> {
                    OpenDir d = open.pop();
                    int bupmMode = storeBupm(d.bupm.toByteArray(), d.nameRightAfterBupm);
                    d.tree.add(bupmMode, BUPM, ObjectId.fromBytes(id, 0));
                    if (s.countsAsFile) {
                        // Only directories read from disk count, as in the total measured up front; ancestors do not.
                        progress.file();
                    }
                    ObjectId tree = inserter.insert(ObjectType.TREE, d.tree.format());
                    if (s.countsAsFile) {
                        // Recording the directory lets the index drop entries of children that are gone.
                        record(d.path, d.meta, Tree.MODE_TREE, tree.toBytes());
                    }
                    if (open.isEmpty()) {
                        return tree;
                    }
                    open.peek().add(Tree.MODE_TREE, mangle(d.name, false), tree);
                }
                case REUSED -> {
                    if (s.countsAsFile) {
                        progress.file();
                    }
                    ObjectId tree = ObjectId.fromBytes(s.id, 0);
                    if (open.isEmpty()) {
                        return tree;
                    }
                    OpenDir parent = open.peek();
                    if (parent.indexed) {
                        // The parent may get a new tree, and then the index drops the children this save did not
                        // record. Directories reused within a reused one need no record: the index keeps the
                        // entries below a directory whose tree is the same.
                        record(s.path, s.meta, Tree.MODE_TREE, s.id);
                    }
                    parent.add(Tree.MODE_TREE, mangle(s.name, false), tree);
                }
                case CONTENT, LEAF, UNCHANGED -> {
                    OpenDir d = open.peek();
                    Metadata saved = switch (s.kind) {
                        case CONTENT -> writeContent(s, d);
                        case UNCHANGED -> writeUnchanged(s, d);
                        default -> writeLeaf(s, d);
                    };
                    if (saved != null) {
                        d.bupm.writeBytes(saved.encode());
                    }
                    checkpoint();
                }
                case DONE -> throw new IllegalStateException("the walk ended inside a directory");
            }
        }
    }

    /** Stores a regular file's chunks from the chunk stream; returns its metadata, or null if it was skipped. */
    private Metadata writeContent(Step s, OpenDir tree) throws IOException, InterruptedException {
        builder.reset();
        SaveReader.FileRead read;
        while (true) {
            ChunkBatch b = pipeline.nextEntry();
            int i = pipeline.index();
            if (b.kinds[i] == ChunkBatch.FILE_END) {
                read = b.ends[i];
                break;
            }
            int idOff = i * ObjectId.LENGTH;
            int len = b.lens[i];
            boolean isNew = switch (b.how[i]) {
                case ChunkBatch.KNOWN -> false;
                case ChunkBatch.STORED -> inserter.insertStored(ObjectType.BLOB, b.blocks[i].data, b.offs[i], len,
                        b.adlers[i], b.ids, idOff);
                case ChunkBatch.DEFLATED -> inserter.insertDeflated(ObjectType.BLOB, len, b.ids, idOff, b.out,
                        b.zoffs[i], b.zlens[i]);
                default -> throw new IllegalStateException("chunk " + i + " was not hashed");
            };
            builder.stored(b.ids, idOff, len, b.levels[i], isNew);
        }
        if (read.path != s.path) {
            throw new IllegalStateException("chunk stream out of step: " + read.path + " for " + s.path);
        }
        switch (read.status) {
            case VANISHED -> {
                progress.skip(s.path, "vanished during the save; skipped");
                return null;
            }
            case DENIED -> {
                progress.skip(s.path, "permission denied; skipped (run as a user who can read it)");
                return null;
            }
            case FAILED -> {
                progress.skip(s.path, "read failed (" + read.failure + "); skipped");
                return null;
            }
            case OK -> { }
        }
        int mode = builder.finishBlobOrTree(id);
        if (read.changed) {
            progress.skip(s.path,
                    "changed while it was being read; saved as read (run the save again for a consistent copy)");
        } else {
            record(s.path, s.meta, mode, id);
        }
        return finishLeaf(s, s.meta.withSize(builder.bytes()), mode, tree);
    }

    /** A file the index shows unchanged: its stored id is reused and its content not read. */
    private Metadata writeUnchanged(Step s, OpenDir tree) throws IOException {
        System.arraycopy(s.id, 0, id, 0, ObjectId.LENGTH);
        // Recorded again: an index commit drops the entries a changed directory's save did not record.
        record(s.path, s.meta, s.gitMode, id);
        progress.unchanged(s.meta.statSize());
        return finishLeaf(s, s.meta.withSize(s.meta.statSize()), s.gitMode, tree, false);
    }

    private void record(Path path, Metadata m, int gitMode, byte[] objectId) throws IOException {
        if (recorder == null) {
            return;
        }
        byte[] p = FileNames.pathBytes(path);
        // With the chattr flags of a file or directory without xattrs or ACL, a re-save reads nothing but its lstat.
        long attr = (m.isRegularFile() || m.isDirectory()) && m.xattrs().isEmpty() && m.posix1eAcl().isEmpty()
                && (m.linuxAttr() >>> 32) == 0 ? m.linuxAttr() : FileIndex.NO_ATTR;
        recorder.add(p, 0, p.length, m.device(), m.inode(), m.linkCount(), m.ctimeNanos(), m.mtimeNanos(),
                m.statSize(), gitMode, objectId, 0, attr);
    }

    /**
     * Every {@link #CHECKPOINT_BYTES} of new objects: flush the pack, then make the recorded entries durable. Both
     * in the background: the save goes on meanwhile, and the journal forced then may hold entries of files whose
     * objects are in the next pack. That does no harm: the index is a hint, and a resumed save reuses an entry
     * only when its object is in the repository.
     */
    private void checkpoint() throws IOException {
        if (recorder != null && inserter.bytesWritten() >= nextCheckpoint) {
            inserter.flushInBackground(recorder::checkpoint);
            nextCheckpoint = inserter.bytesWritten() + CHECKPOINT_BYTES;
        }
    }

    /** Stores a symlink or special file. */
    private Metadata writeLeaf(Step s, OpenDir tree) throws IOException {
        Metadata m = s.meta;
        int mode;
        if (m.isSymlink()) {
            byte[] target = m.symlinkTarget();
            inserter.insert(ObjectType.BLOB, target, 0, target.length, id, 0);
            mode = Tree.MODE_SYMLINK;
            m = m.withSize(target.length);
        } else {
            // Fifos, sockets and devices: an empty blob; their type lives in .bupm only.
            inserter.insert(ObjectType.BLOB, new byte[0], 0, 0, id, 0);
            mode = Tree.MODE_FILE;
        }
        return finishLeaf(s, m, mode, tree);
    }

    private Metadata finishLeaf(Step s, Metadata m, int mode, OpenDir tree) {
        return finishLeaf(s, m, mode, tree, true);
    }

    private Metadata finishLeaf(Step s, Metadata m, int mode, OpenDir tree, boolean countFile) {
        if (m.linkCount() > 1) {
            String key = m.device() + ":" + m.inode();
            byte[] first = hardlinks.computeIfAbsent(key, k -> FileNames.pathBytes(s.path.toAbsolutePath()));
            m = m.withHardlinkTarget(first);
        }
        tree.add(mode, mangle(s.name, mode == Tree.MODE_TREE), ObjectId.fromBytes(id, 0));
        if (countFile) {
            progress.file();
        }
        return m;
    }

    /**
     * Stores a directory's .bupm stream; the id lands in {@link #id}. Split as bup splits it, except when the
     * directory has an entry named {@code .bupm} followed by a byte below {@code '/'} (as a file named
     * {@code .bupm} is stored, {@code .bupm.bupl}): a chunked .bupm is a tree, which git orders as
     * {@code .bupm/}, after that entry, and bup 0.33.7's reader stops looking for {@code .bupm} at the first
     * name after it, so it would restore the directory without metadata. Then the stream is one blob, which
     * every reader accepts and which sorts first.
     */
    private int storeBupm(byte[] data, boolean mustBeBlob) throws IOException {
        if (mustBeBlob) {
            inserter.insert(ObjectType.BLOB, data, 0, data.length, id, 0);
            return Tree.MODE_FILE;
        }
        return splitBytes(data);
    }

    /**
     * Splits in-memory bytes (a .bupm stream) into a blob or chunk tree; the id lands in {@link #id}. The bytes
     * are split in place, processed after every 8 MiB as if read from a stream, so no 8 MiB buffer is needed.
     */
    private int splitBytes(byte[] data) throws IOException {
        builder.reset();
        if (bupmCursor == null) {
            bupmCursor = new SplitCursor(Chunkers.best());
        }
        bupmCursor.reset(0);
        for (int end = Math.min(HashSplitter.READ_SIZE, data.length); ; end = Math.min(end + HashSplitter.READ_SIZE,
                data.length)) {
            bupmCursor.process(data, end, builder);
            if (end == data.length) {
                break;
            }
        }
        bupmCursor.finish(data, data.length, builder);
        return builder.finishBlobOrTree(id);
    }

    static boolean isDiskFull(IOException e) {
        return String.valueOf(e.getMessage()).contains("No space left on device");
    }

    /** bup's {@code mangle_name}: chunked files get {@code .bup}; names that look mangled get {@code .bupl}. */
    static byte[] mangle(byte[] name, boolean chunkedFile) {
        if (chunkedFile) {
            return concat(name, BUP_SUFFIX);
        }
        if (endsWith(name, BUP_SUFFIX, 0) || endsWith(name, BUP_SUFFIX, 1)) {
            return concat(name, BUPL_SUFFIX);
        }
        return name;
    }

    private static boolean endsWith(byte[] name, byte[] suffix, int dropLast) {
        int end = name.length - dropLast;
        return end >= suffix.length && Arrays.equals(name, end - suffix.length, end, suffix, 0, suffix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static List<Path> normalize(List<Path> sources) {
        List<Path> out = new ArrayList<>();
        for (Path p : sources) {
            out.add(p.toAbsolutePath().normalize());
        }
        return out;
    }
}
