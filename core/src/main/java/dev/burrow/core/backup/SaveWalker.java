package dev.burrow.core.backup;

import dev.burrow.core.index.FileIndex;
import dev.burrow.core.meta.FileNames;
import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Walks the sources depth-first in name order, as a serial save would, and turns them into {@link Step}s for
 * the writer and {@link SaveReader.FileRead}s for the reader. It runs on a virtual thread; each entry's
 * metadata (lstat, xattrs, ACL, chattr flags) is read on its own virtual thread, up to {@value #LOOKAHEAD}
 * entries ahead of the walk, at most {@value #CONCURRENT} at a time.
 */
final class SaveWalker {
    static final int LOOKAHEAD = 64;
    static final int CONCURRENT = 16;

    private record Child(byte[] name, Path path, VirtualDir virtual) { }

    private final BlockingQueue<Step> steps;
    private final BlockingQueue<SaveReader.FileRead> files;
    private final ExecutorService metaThreads;
    private final Semaphore metaPermits = new Semaphore(CONCURRENT);
    private final SaveProgress progress;
    private final FileIndex index;
    private final ObjectInserter inserter;

    /**
     * @param index    the filesystem index to skip unchanged files with, or null to read every file
     * @param inserter checks that an indexed id is really stored (only its thread-safe lookup is used)
     */
    SaveWalker(BlockingQueue<Step> steps, BlockingQueue<SaveReader.FileRead> files, ExecutorService metaThreads,
               SaveProgress progress, FileIndex index, ObjectInserter inserter) {
        this.steps = steps;
        this.files = files;
        this.metaThreads = metaThreads;
        this.progress = progress;
        this.index = index;
        this.inserter = inserter;
    }

    void run(VirtualDir root) throws IOException, InterruptedException {
        walk(root, null, null);
        files.put(SaveReader.FileRead.END);
        steps.put(Step.DONE);
    }

    private void walk(VirtualDir dir, byte[] name, Metadata known) throws IOException, InterruptedException {
        Metadata own = known != null ? known
                : dir.metadataSource() == null ? Metadata.empty() : readOwnMetadata(dir.metadataSource());
        steps.put(new Step(Step.Kind.DIR_START, name, dir.metadataSource(), own, false));
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
        List<Future<Metadata>> metas = new ArrayList<>(list.size());
        int submitted = 0;
        try {
            for (int i = 0; i < list.size(); i++) {
                for (; submitted < list.size() && submitted <= i + LOOKAHEAD; submitted++) {
                    metas.add(readMetadata(list.get(submitted)));
                }
                Child c = list.get(i);
                Future<Metadata> pending = metas.set(i, null);
                if (c.virtual() != null) {
                    walk(c.virtual(), c.name(), null);
                    continue;
                }
                Metadata m = metadataOf(c.path(), pending);
                if (m == null) {
                    continue;
                }
                if (m.isDirectory()) {
                    walk(VirtualDir.real(c.path()), c.name(), m);
                } else if (m.isRegularFile()) {
                    Step unchanged = unchanged(c, m);
                    if (unchanged != null) {
                        steps.put(unchanged);
                        continue;
                    }
                    files.put(new SaveReader.FileRead(c.path(), m.statSize(), m.mtimeNanos(), m.ctimeNanos()));
                    steps.put(new Step(Step.Kind.CONTENT, c.name(), c.path(), m, false));
                } else {
                    steps.put(new Step(Step.Kind.LEAF, c.name(), c.path(), m, false));
                }
            }
        } finally {
            for (Future<Metadata> f : metas) {
                if (f != null) {
                    f.cancel(true);
                }
            }
        }
        steps.put(new Step(Step.Kind.DIR_END, name, null, null, !dir.contentsOf().isEmpty()));
    }

    /**
     * The step for a file the index shows unchanged since it was stored, if its object is in the repository;
     * else null, and the file is read. bup's rule (spec §10): dev, inode, link count, ctime, mtime and size all
     * match what was recorded.
     */
    private Step unchanged(Child c, Metadata m) {
        if (index == null) {
            return null;
        }
        byte[] path = FileNames.pathBytes(c.path());
        byte[] id = new byte[ObjectId.LENGTH];
        int mode = index.lookup(path, 0, path.length, m.device(), m.inode(), m.linkCount(), m.ctimeNanos(),
                m.mtimeNanos(), m.statSize(), id, 0);
        if (mode < 0 || !inserter.existsInRepository(id, 0)) {
            return null;
        }
        return new Step(Step.Kind.UNCHANGED, c.name(), c.path(), m, false, id, mode);
    }

    private Future<Metadata> readMetadata(Child c) throws InterruptedException {
        if (c.virtual() != null) {
            return null;
        }
        metaPermits.acquire();
        try {
            return metaThreads.submit(() -> {
                try {
                    return Metadata.fromPath(c.path());
                } finally {
                    metaPermits.release();
                }
            });
        } catch (RuntimeException e) {
            metaPermits.release();
            throw e;
        }
    }

    /** The metadata read for {@code path}, or null after a warning if it cannot be read. */
    private Metadata metadataOf(Path path, Future<Metadata> pending) throws IOException, InterruptedException {
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

    private Metadata readOwnMetadata(Path dir) throws IOException {
        try {
            return Metadata.fromPath(dir);
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
