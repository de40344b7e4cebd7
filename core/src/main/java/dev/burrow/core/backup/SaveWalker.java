package dev.burrow.core.backup;

import dev.burrow.core.index.FileIndex;
import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.Tree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.ToLongFunction;

/**
 * Walks the sources depth-first in name order, as a serial save would, and turns them into {@link Step}s for
 * the writer and {@link SaveReader.FileRead}s for the reader. It runs on a virtual thread; the entries'
 * metadata (lstat, xattrs, ACL, chattr flags) is read on other virtual threads, {@value #BATCH} consecutive
 * entries each, up to {@value #LOOKAHEAD} entries ahead of the walk, at most {@value #CONCURRENT} batches at a
 * time. A thread per entry cost more than an unchanged entry's lstat: in a re-save where the index vouches for
 * nearly everything, the task hand-offs were a fifth of the CPU time.
 *
 * <p>Like bup (spec §10), a save with the index reuses the tree it recorded for a directory in which nothing
 * changed, and the writer then gets one {@link Step.Kind#REUSED} step for it. A directory whose own lstat
 * fingerprint matches its entry (so no entry was added, removed or renamed in it, and its own metadata is
 * the same) and whose tree the repository has is <em>held</em>: its DIR_START and its children's steps are
 * kept back while every child is unchanged (a file by its fingerprint, a subdirectory reused in turn). The
 * first child that is not (new or changed content, a symlink or special file, which the index does not
 * cover, a file with other hard links, whose .bupm entry depends on the walk, or an entry that cannot be
 * read) releases it and every held directory around it: their steps go out, outermost first, in walk order.
 * Held directories are always the innermost ones of the walk, and at most {@value #MAX_HELD} steps are held,
 * so a huge directory costs time, not memory.
 */
final class SaveWalker {
    static final int LOOKAHEAD = 64;
    static final int BATCH = 16;
    static final int CONCURRENT = 16;
    static final int MAX_HELD = 8192;

    private record Child(byte[] name, Path path, VirtualDir virtual) { }

    /** A directory that may be reused whole: its tree in the index, its DIR_START and its children's steps. */
    private record Held(byte[] tree, Step start, List<Step> steps) { }

    /** An entry's metadata, and for a regular file what the index knows of it (null without an index). */
    private record Entry(Metadata meta, IndexHit hit, long readAhead) { }

    /**
     * The index lookup for one regular file or directory, made from its lstat fields while its metadata is
     * read: on a hit the metadata read skips what the index vouches for, and the walk reuses the stored id
     * (a directory's tree only if nothing below it changed either).
     */
    private static final class IndexHit implements ToLongFunction<Metadata> {
        private final FileIndex index;
        private final Path path;
        final byte[] id = new byte[ObjectId.LENGTH];
        private final long[] attr = {FileIndex.NO_ATTR};
        int gitMode = -1;

        IndexHit(FileIndex index, Path path) {
            this.index = index;
            this.path = path;
        }

        @Override
        public long applyAsLong(Metadata m) {
            byte[] p = FileNames.pathBytes(path);
            gitMode = index.lookup(p, 0, p.length, m.device(), m.inode(), m.linkCount(), m.ctimeNanos(),
                    m.mtimeNanos(), m.statSize(), id, 0, attr);
            return gitMode < 0 ? FileIndex.NO_ATTR : attr[0];
        }
    }

    private final BlockingQueue<Step> steps;
    private final BlockingQueue<SaveReader.FileRead> files;
    private final ReadAhead readAhead;
    private final ExecutorService metaThreads;
    private final Semaphore metaPermits = new Semaphore(CONCURRENT);
    private final SaveProgress progress;
    private final FileIndex index;
    private final ObjectInserter inserter;
    /** The held directories, innermost first. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private int heldSteps;

    /**
     * @param readAhead bounds the file contents fetched ahead for the reader, which gives them back
     * @param index    the filesystem index to skip unchanged files with, or null to read every file
     * @param inserter checks that an indexed id is really stored (only its thread-safe lookup is used)
     */
    SaveWalker(BlockingQueue<Step> steps, BlockingQueue<SaveReader.FileRead> files, ReadAhead readAhead,
               ExecutorService metaThreads, SaveProgress progress, FileIndex index, ObjectInserter inserter) {
        this.steps = steps;
        this.files = files;
        this.readAhead = readAhead;
        this.metaThreads = metaThreads;
        this.progress = progress;
        this.index = index;
        this.inserter = inserter;
    }

    void run(VirtualDir root) throws IOException, InterruptedException {
        walk(root, null, null, null);
        files.put(SaveReader.FileRead.END);
        steps.put(Step.DONE);
    }

    /**
     * Walks {@code dir}; {@code known} and {@code knownHit} are its metadata and index lookup when its parent
     * read them, else null.
     */
    private void walk(VirtualDir dir, byte[] name, Metadata known, IndexHit knownHit)
            throws IOException, InterruptedException {
        Metadata own = known;
        IndexHit hit = knownHit;
        if (own == null && dir.metadataSource() != null) {
            hit = isWholeRealDirectory(dir) && index != null ? new IndexHit(index, dir.metadataSource()) : null;
            own = readOwnMetadata(dir.metadataSource(), hit);
        } else if (own == null) {
            own = Metadata.empty();
        }
        byte[] storedTree = isWholeRealDirectory(dir) ? storedTree(own, hit) : null;
        boolean fromDisk = !dir.contentsOf().isEmpty();
        Step start = new Step(Step.Kind.DIR_START, name, dir.metadataSource(), own, fromDisk);
        Held mine = null;
        if (storedTree != null && heldSteps < MAX_HELD) {
            mine = new Held(storedTree, start, new ArrayList<>());
            held.push(mine);
        } else {
            emit(start);
        }
        TreeMap<byte[], Child> children = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<byte[], VirtualDir> e : dir.children().entrySet()) {
            children.put(e.getKey(), new Child(e.getKey(), null, e.getValue()));
        }
        for (Map.Entry<byte[], Path> e : dir.files().entrySet()) {
            children.putIfAbsent(e.getKey(), new Child(e.getKey(), e.getValue(), null));
        }
        for (Path real : dir.contentsOf()) {
            listInto(real, children);
        }
        List<Child> list = new ArrayList<>(children.values());
        children = null;
        List<Future<Entry>> metas = new ArrayList<>(list.size());
        int submitted = 0;
        try {
            for (int i = 0; i < list.size(); i++) {
                while (submitted < list.size() && submitted <= i + LOOKAHEAD) {
                    int end = Math.min(submitted + BATCH, list.size());
                    metas.addAll(readMetadata(list.subList(submitted, end)));
                    submitted = end;
                }
                Child c = list.get(i);
                Future<Entry> pending = metas.set(i, null);
                if (c.virtual() != null) {
                    walk(c.virtual(), c.name(), null, null);
                    continue;
                }
                Entry e = metadataOf(c.path(), pending);
                if (e == null) {
                    release();
                    continue;
                }
                Metadata m = e.meta();
                if (m.isDirectory()) {
                    walk(VirtualDir.real(c.path()), c.name(), m, e.hit());
                } else if (m.isRegularFile()) {
                    Step unchanged = unchanged(c, m, e.hit());
                    if (unchanged != null) {
                        readAhead.release(e.readAhead());
                        hold(unchanged, m.linkCount() <= 1);
                        continue;
                    }
                    release();
                    files.put(new SaveReader.FileRead(c.path(), m.statSize(), m.mtimeNanos(), m.ctimeNanos(),
                            e.readAhead()));
                    steps.put(new Step(Step.Kind.CONTENT, c.name(), c.path(), m, false));
                } else {
                    emit(new Step(Step.Kind.LEAF, c.name(), c.path(), m, false));
                }
            }
        } finally {
            for (Future<Entry> f : metas) {
                if (f != null) {
                    f.cancel(true);
                }
            }
        }
        if (mine != null && held.peek() == mine) {
            held.pop();
            reused(mine);
            hold(new Step(Step.Kind.REUSED, name, dir.metadataSource(), own, fromDisk, mine.tree(), Tree.MODE_TREE),
                    true);
        } else {
            emit(new Step(Step.Kind.DIR_END, name, null, null, fromDisk));
        }
    }

    /** Holds {@code s} back with the innermost held directory if there is one and it may; else sends it. */
    private void hold(Step s, boolean mayHold) throws InterruptedException {
        if (mayHold && !held.isEmpty() && heldSteps < MAX_HELD) {
            held.peek().steps().add(s);
            heldSteps++;
        } else {
            emit(s);
        }
    }

    /** Sends {@code s} to the writer, after releasing every held directory. */
    private void emit(Step s) throws InterruptedException {
        release();
        steps.put(s);
    }

    /** Sends every held directory's DIR_START and held steps, outermost first: none of them is reused. */
    private void release() throws InterruptedException {
        while (!held.isEmpty()) {
            Held h = held.removeLast();
            steps.put(h.start());
            for (Step s : h.steps()) {
                steps.put(s);
            }
            heldSteps -= h.steps().size();
        }
    }

    /** A held directory was reused: what it held is never sent, so it is counted here. */
    private void reused(Held h) {
        for (Step s : h.steps()) {
            if (s.kind == Step.Kind.UNCHANGED) {
                progress.unchanged(s.meta.statSize());
            } else if (s.countsAsFile) {
                progress.file();
            }
        }
        heldSteps -= h.steps().size();
    }

    /**
     * The step for a file the index shows unchanged since it was stored, if its object is in the repository;
     * else null, and the file is read. bup's rule (spec §10): dev, inode, link count, ctime, mtime and size all
     * match what was recorded.
     */
    private Step unchanged(Child c, Metadata m, IndexHit hit) {
        if (hit == null || hit.gitMode < 0 || !inserter.existsInRepository(hit.id, 0)) {
            return null;
        }
        return new Step(Step.Kind.UNCHANGED, c.name(), c.path(), m, false, hit.id, hit.gitMode);
    }

    /**
     * Whether {@code dir} is one real directory with nothing added to it, so that its tree is what a save
     * of that directory alone records in the index (a directory that merges sources is rebuilt every time).
     */
    private static boolean isWholeRealDirectory(VirtualDir dir) {
        return dir.contentsOf().size() == 1 && dir.contentsOf().getFirst().equals(dir.metadataSource())
                && dir.children().isEmpty() && dir.files().isEmpty();
    }

    /**
     * The tree the index recorded for a directory whose lstat fingerprint is unchanged, if the repository has
     * it; else null. The fingerprint only says the directory's own entries and metadata are the same (adding,
     * removing or renaming an entry changes its mtime, metadata changes its ctime); the tree is reused only
     * if every entry below turns out unchanged as well.
     */
    private byte[] storedTree(Metadata m, IndexHit hit) {
        if (hit == null || hit.gitMode != Tree.MODE_TREE || !m.isDirectory()
                || !inserter.existsInRepository(hit.id, 0)) {
            return null;
        }
        return hit.id;
    }

    /** Starts reading the metadata of {@code batch} on one virtual thread; a future per entry, null if virtual. */
    private List<Future<Entry>> readMetadata(List<Child> batch) throws InterruptedException {
        List<CompletableFuture<Entry>> entries = new ArrayList<>(batch.size());
        for (Child c : batch) {
            entries.add(c.virtual() != null ? null : new CompletableFuture<>());
        }
        metaPermits.acquire();
        try {
            metaThreads.execute(() -> {
                try {
                    for (int k = 0; k < batch.size(); k++) {
                        CompletableFuture<Entry> f = entries.get(k);
                        if (f == null || f.isDone()) {
                            continue;   // A virtual directory, or the walk stopped and cancelled it.
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            f.cancel(false);   // The save is being stopped: the rest fail fast, never hang.
                            continue;
                        }
                        try {
                            f.complete(readEntry(batch.get(k).path()));
                        } catch (Throwable t) {
                            // Each entry's failure is its own: metadataOf reports it as for that path alone.
                            f.completeExceptionally(t);
                        }
                    }
                } finally {
                    metaPermits.release();
                }
            });
        } catch (RuntimeException e) {
            metaPermits.release();
            throw e;
        }
        return Collections.unmodifiableList(entries);
    }

    private Entry readEntry(Path path) throws IOException {
        // Asked only for a regular file that fromPath reads the flags of, i.e. one the index does not vouch for.
        ReadAhead.Grant grant = readAhead.new Grant();
        if (index == null) {
            return new Entry(Metadata.fromPath(path, null, grant), null, grant.bytes());
        }
        IndexHit hit = new IndexHit(index, path);
        // fromPath asks the index only about regular files and directories; for others hit stays a miss.
        return new Entry(Metadata.fromPath(path, hit, grant), hit, grant.bytes());
    }

    /** The metadata read for {@code path}, or null after a warning if it cannot be read. */
    private Entry metadataOf(Path path, Future<Entry> pending) throws IOException, InterruptedException {
        try {
            return pending.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchFileException) {
                progress.skip(path, "vanished during the save; skipped");
                return null;
            }
            if (cause instanceof IOException io) {
                progress.skip(path, "cannot read its metadata (" + SaveReader.reason(io) + "); skipped");
                return null;
            }
            if (cause instanceof UncheckedIOException u) {
                throw new IOException(path + ": " + SaveReader.reason(u.getCause()), u.getCause());
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(path + ": " + cause, cause);
        }
    }

    private Metadata readOwnMetadata(Path dir, IndexHit hit) throws IOException {
        try {
            return Metadata.fromPath(dir, hit);
        } catch (NoSuchFileException e) {
            progress.skip(dir, "vanished during the save; saved without its metadata");
            return Metadata.empty();
        }
    }

    private void listInto(Path dir, TreeMap<byte[], Child> children) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                byte[] name = FileNames.nameBytes(p);
                children.putIfAbsent(name, new Child(name, p, null));
            }
        } catch (NoSuchFileException e) {
            progress.skip(dir, "vanished during the save; saved as empty");
        } catch (AccessDeniedException e) {
            progress.skip(dir, "permission denied reading the directory; saved as empty (run as a user who can read it)");
        }
    }
}
