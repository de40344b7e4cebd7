package dev.burrow.core.backup;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.split.ChunkTreeBuilder;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.split.HashSplitter;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;
import dev.burrow.core.store.TreeFormatter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code burrow split}: chunks a stream into the repository exactly as {@code bup split} does, so the
 * same input gives the same blob and tree ids. The inputs are split as one concatenated stream.
 *
 * <p>Blocks the calling thread until done; interrupt it to cancel.
 */
public final class Splitter {
    private Splitter() { }

    public static SplitResult split(Repository repo, SplitRequest request, ProgressListener listener)
            throws IOException, InterruptedException {
        String ref = null;
        if (request.name() != null) {
            if (!Repository.isValidBranchName(request.name())) {
                throw new IllegalArgumentException("invalid branch name '" + request.name() + "'");
            }
            ref = "refs/heads/" + request.name();
        }
        for (Path f : request.files()) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(f.toString(), null, "no such file; check the path");
            }
        }
        long total = 0;
        for (Path f : request.files()) {
            total += Files.isRegularFile(f) ? Files.size(f) : 0;
        }
        listener.started(request.files().isEmpty() ? -1 : total, request.files().isEmpty() ? -1 : request.files().size());
        Optional<ObjectId> parent = ref == null ? Optional.empty() : repo.readRef(ref);
        try (ObjectInserter inserter = repo.newInserter()) {
            inserter.setCompression(request.compression());
            HashSplitter splitter = new HashSplitter(Chunkers.best());
            ChunkTreeBuilder builder = new ChunkTreeBuilder(inserter);
            long[] read = {0};
            HashSplitter.ReadListener progress = n -> {
                read[0] += n;
                listener.progress(read[0], 0);
            };
            ObjectId tree;
            ObjectId data;
            try {
                if (request.files().isEmpty()) {
                    splitter.feed(request.stdin(), builder, progress);
                } else {
                    for (Path f : request.files()) {
                        listener.working(f.toString());
                        try (InputStream in = Files.newInputStream(f)) {
                            splitter.feed(in, builder, progress);
                        }
                    }
                }
                splitter.finish(builder);
                if (ref != null) {
                    byte[] id = new byte[ObjectId.LENGTH];
                    int mode = builder.finishBlobOrTree(id);
                    data = ObjectId.fromBytes(id, 0);
                    TreeFormatter t = new TreeFormatter();
                    String name = mode == Tree.MODE_TREE ? "data.bup" : "data";
                    t.add(mode, name.getBytes(StandardCharsets.US_ASCII), data);
                    tree = inserter.insert(ObjectType.TREE, t.format());
                } else {
                    tree = builder.finishTree();
                    data = tree;
                }
            } catch (InterruptedIOException e) {
                throw Saver.interrupted(e);
            }
            ObjectId commit = null;
            if (ref != null) {
                String text = CommitWriter.format(tree, parent.orElse(null), request.date(), "split", request.argv());
                commit = inserter.insert(ObjectType.COMMIT, text);
            }
            Saver.checkInterrupted();
            inserter.flush();
            if (ref != null) {
                repo.updateRef(ref, parent, commit);
            }
            Saver.refreshLookupFiles(repo);
            return new SplitResult(tree, data, commit, read[0]);
        }
    }
}
