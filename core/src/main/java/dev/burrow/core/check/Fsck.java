package dev.burrow.core.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Commit;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;

/** Checks a repository's packs and that every snapshot is complete. */
public final class Fsck {
    /*
     * Pass 1 reads every pack once, sequentially (PackCheck). Pass 2 walks every commit reachable from
     * refs/heads and refs/tags, with their trees, and checks that every tree, blob and parent they name is
     * present; content was already hashed in pass 1, so blobs are only looked up. The visited set is an
     * ObjectIdSet, about 40 bytes per object.
     */

    private Fsck() {
    }

    /**
     * Checks the repository. Problems are collected, not thrown: the report says what is wrong and where.
     * Blocks; reports bytes of pack read (and packs done) to the listener; cancel by interrupting the
     * calling thread.
     *
     * @throws IOException if the pack directory cannot be listed
     * @throws InterruptedException if the thread was interrupted
     */
    public static FsckReport check(Repository repo, ProgressListener listener) throws IOException,
            InterruptedException {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(listener, "listener");
        List<String> problems = new ArrayList<>();
        List<Path> idxs = new ArrayList<>();
        List<Path> packs = new ArrayList<>();
        Path packDir = repo.packDirectory();
        if (Files.isDirectory(packDir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(packDir)) {
                for (Path p : s) {
                    String name = p.getFileName().toString();
                    if (name.startsWith("pack-") && name.endsWith(".idx")) {
                        idxs.add(p);
                    } else if (name.startsWith("pack-") && name.endsWith(".pack")) {
                        packs.add(p);
                    }
                }
            }
        }
        idxs.sort(null);
        packs.sort(null);
        problems.addAll(PackCheck.orphanPacks(packs, idxs));
        long totalBytes = 0;
        for (Path p : packs) {
            totalBytes += Files.size(p);
        }
        listener.started(totalBytes, idxs.size());

        long objects = 0;
        long packsDone = 0;
        List<ObjectId> deltas = new ArrayList<>();
        long[] bytesDone = {0};
        PackCheck check = new PackCheck();
        try {
            for (Path idx : idxs) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("fsck interrupted before " + idx.getFileName());
                }
                Path pack = idx.resolveSibling(idx.getFileName().toString().replaceFirst("\\.idx$", ".pack"));
                listener.working(pack.getFileName().toString());
                long n = check.check(idx, pack, new PackCheck.Sink() {
                    @Override
                    public void problem(String line) {
                        problems.add(line);
                    }

                    @Override
                    public void bytesRead(long k) {
                        bytesDone[0] += k;
                    }
                }, deltas::add);
                objects += Math.max(0, n);
                packsDone++;
                listener.progress(bytesDone[0], packsDone);
            }
        } finally {
            check.close();
        }

        try (ObjectReader reader = repo.newReader()) {
            checkDeltas(reader, deltas, problems);
            checkReachable(repo, reader, problems);
        }
        return new FsckReport(objects, packsDone, problems);
    }

    /** Delta objects: resolved through the reader, then hashed like whole objects. */
    private static void checkDeltas(ObjectReader reader, List<ObjectId> deltas, List<String> problems)
            throws InterruptedException {
        if (deltas.isEmpty()) {
            return;
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
        byte[] buf = new byte[64 * 1024];
        for (ObjectId id : deltas) {
            if (Thread.interrupted()) {
                throw new InterruptedException("fsck interrupted");
            }
            try (InputStream in = reader.open(id)) {
                ObjectType type = reader.type(id);
                sha.reset();
                sha.update((type.gitName() + " " + reader.size(id) + "\0").getBytes(StandardCharsets.US_ASCII));
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
                byte[] d = sha.digest();
                if (!id.equalsBytes(d, 0)) {
                    problems.add("delta object " + id.name() + ": content hashes to "
                            + ObjectId.fromBytes(d, 0).name());
                }
            } catch (IOException e) {
                problems.add("delta object " + id.name() + ": cannot be read: " + e.getMessage());
            }
        }
    }

    private static void checkReachable(Repository repo, ObjectReader reader, List<String> problems)
            throws IOException, InterruptedException {
        ObjectIdSet seen = new ObjectIdSet();
        Map<String, ObjectId> refs = repo.refs("refs/heads/");
        refs.putAll(repo.refs("refs/tags/"));
        record Item(ObjectId id, ObjectType type, String from) { }
        Deque<Item> todo = new ArrayDeque<>();
        for (Map.Entry<String, ObjectId> ref : refs.entrySet()) {
            ObjectId id;
            try {
                id = reader.peel(ref.getValue());
            } catch (IOException e) {
                problems.add(ref.getKey() + ": " + e.getMessage());
                continue;
            }
            ObjectType type;
            try {
                type = reader.type(id);
            } catch (IOException e) {
                problems.add(ref.getKey() + ": " + e.getMessage());
                continue;
            }
            todo.push(new Item(id, type, ref.getKey()));
            while (!todo.isEmpty()) {
                Item it = todo.pop();
                if (!seen.add(it.id)) {
                    continue;
                }
                if (seen.size() % 4096 == 0 && Thread.interrupted()) {
                    throw new InterruptedException("fsck interrupted");
                }
                try {
                    switch (it.type) {
                        case COMMIT -> {
                            Commit c = reader.commit(it.id);
                            String from = "commit " + it.id.abbreviate(12) + " (" + ref.getKey() + ")";
                            todo.push(new Item(c.tree(), ObjectType.TREE, from));
                            for (ObjectId p : c.parents()) {
                                todo.push(new Item(p, ObjectType.COMMIT, ref.getKey()));
                            }
                        }
                        case TREE -> {
                            Tree t = reader.tree(it.id);
                            String from = "tree " + it.id.abbreviate(12) + " (" + ref.getKey() + ")";
                            for (Tree.Entry e : t) {
                                if (e.isGitlink()) {
                                    continue;
                                }
                                todo.push(new Item(e.id(), e.isTree() ? ObjectType.TREE : ObjectType.BLOB, from));
                            }
                        }
                        case BLOB -> {
                            if (!reader.has(it.id)) {
                                problems.add("missing blob " + it.id.name() + ", named by " + it.from);
                            }
                        }
                    }
                } catch (dev.burrow.core.store.MissingObjectException e) {
                    problems.add("missing " + it.type.gitName() + " " + it.id.name() + ", named by " + it.from);
                } catch (IOException e) {
                    problems.add(it.type.gitName() + " " + it.id.name() + ", named by " + it.from + ": "
                            + e.getMessage());
                }
            }
        }
    }
}
