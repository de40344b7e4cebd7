package dev.burrow.core.browse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;

/** {@code bup join}: writes the content that {@code bup split} stored. */
public final class Join {
    private Join() {
    }

    /**
     * Writes the concatenated blobs under {@code refOrPath} to {@code out}, which is not closed.
     *
     * <p>{@code refOrPath} is one of: a backup set or tag name, or a full ref ({@code refs/heads/NAME}),
     * meaning its commit's tree (a {@code bup split -n} commit's tree holds one entry, {@code data} or
     * {@code data.bup}); a 40-digit object id of a commit, tree (e.g. a chunk tree from {@code split -t})
     * or blob; or a VFS path starting with {@code /}, which must name a file. Trees are read as bup reads
     * them: every blob below, depth first, in tree order. Blocks on I/O; memory stays bounded.
     *
     * @throws NoSuchPathException if the name matches no ref, object or VFS file
     */
    public static void join(Repository repo, String refOrPath, OutputStream out) throws IOException {
        Objects.requireNonNull(refOrPath, "refOrPath");
        Objects.requireNonNull(out, "out");
        try (ObjectReader reader = repo.newReader(); InputStream in = open(repo, reader, refOrPath)) {
            in.transferTo(out);
        }
    }

    private static InputStream open(Repository repo, ObjectReader reader, String name) throws IOException {
        if (name.startsWith("/")) {
            Vfs vfs = new Vfs(repo, reader);
            VfsNode node = vfs.resolve(name);
            if (node.kind() != VfsNode.Kind.FILE) {
                throw new NoSuchPathException(name, "cannot join '" + name + "': it is a "
                        + node.kind().name().toLowerCase(java.util.Locale.ROOT) + ", not a file");
            }
            return vfs.openContent(node);
        }
        ObjectId target = reader.peel(resolveName(repo, reader, name));
        ObjectType type = reader.type(target);
        if (type == ObjectType.COMMIT) {
            target = reader.commit(target).tree();
            type = ObjectType.TREE;
        }
        return new ContentStream(reader, target, type == ObjectType.TREE);
    }

    private static ObjectId resolveName(Repository repo, ObjectReader reader, String name) throws IOException {
        if (ObjectId.isHex(name)) {
            ObjectId id = ObjectId.fromHex(name);
            if (reader.has(id)) {
                return id;
            }
        }
        for (String ref : new String[] {name, "refs/heads/" + name, "refs/tags/" + name}) {
            if (!ref.startsWith("refs/")) {
                continue;
            }
            Optional<ObjectId> id;
            try {
                id = repo.readRef(ref);
            } catch (IllegalArgumentException e) {
                continue; // not a valid ref name, so it cannot match this form
            }
            if (id.isPresent()) {
                return id.get();
            }
        }
        throw new NoSuchPathException(name, "no backup set, tag or object '" + name + "'; known sets: "
                + String.join(", ", repo.refs("refs/heads/").keySet().stream()
                        .map(r -> r.substring("refs/heads/".length())).toList()));
    }
}
