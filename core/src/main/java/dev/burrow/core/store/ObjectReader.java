package dev.burrow.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Reads objects from a repository's packs (and loose objects, if git made any).
 *
 * <p>Not thread safe: use one reader per thread, and close it to release pack file handles. Packs
 * written after the reader was opened are found when an id is not in the packs known so far (the
 * pack directory is rescanned on a miss); callers that must see a concurrent writer's objects should
 * open a new reader per operation.
 */
public final class ObjectReader implements AutoCloseable {
    /*
     * Backed by JGit, which handles pack windows, delta chains (after git gc/repack) and loose objects.
     * No JGit type crosses this class's public API.
     */

    /** Objects larger than this are refused by {@link #read}; stream them with {@link #open}. */
    static final int MAX_READ_BYTES = 64 << 20;

    private final org.eclipse.jgit.lib.Repository db;
    private final org.eclipse.jgit.lib.ObjectReader reader;
    private final byte[] idScratch = new byte[ObjectId.LENGTH];

    ObjectReader(Repository repo) throws IOException {
        db = new FileRepositoryBuilder().setGitDir(repo.directory().toFile()).setBare().setMustExist(true).build();
        org.eclipse.jgit.lib.ObjectReader r;
        try {
            r = db.newObjectReader();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        reader = r;
    }

    private org.eclipse.jgit.lib.ObjectId jgit(ObjectId id) {
        id.copyTo(idScratch, 0);
        return org.eclipse.jgit.lib.ObjectId.fromRaw(idScratch);
    }

    private ObjectLoader loader(ObjectId id, String what) throws IOException {
        try {
            return reader.open(jgit(id));
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            throw new MissingObjectException(id, what);
        }
    }

    /** True when the object is in the repository. */
    public boolean has(ObjectId id) throws IOException {
        return reader.has(jgit(id));
    }

    /**
     * The object's type.
     *
     * @throws MissingObjectException if it is absent
     * @throws CorruptObjectException if it is an annotated tag (see {@link #peel}) or of an unknown type
     */
    public ObjectType type(ObjectId id) throws IOException {
        return toType(id, loader(id, "object").getType());
    }

    /** The size of the object's content in bytes. */
    public long size(ObjectId id) throws IOException {
        return loader(id, "object").getSize();
    }

    private static ObjectType toType(ObjectId id, int code) throws CorruptObjectException {
        return switch (code) {
            case Constants.OBJ_COMMIT -> ObjectType.COMMIT;
            case Constants.OBJ_TREE -> ObjectType.TREE;
            case Constants.OBJ_BLOB -> ObjectType.BLOB;
            case Constants.OBJ_TAG -> throw new CorruptObjectException(id, "is an annotated tag, not a commit,"
                    + " tree or blob; peel it first");
            default -> throw new CorruptObjectException(id, "has unknown object type " + code);
        };
    }

    /**
     * The whole content of a small object (a tree, a commit, a chunk).
     *
     * @throws MissingObjectException if it is absent
     * @throws CorruptObjectException if it has another type than {@code expected}, or is larger than 64 MiB
     */
    public byte[] read(ObjectId id, ObjectType expected) throws IOException {
        ObjectLoader ld = loader(id, expected.gitName());
        if (ld.getType() != expected.packCode()) {
            throw new CorruptObjectException(id, "is a " + Constants.typeString(ld.getType()) + ", expected a "
                    + expected.gitName());
        }
        try {
            return ld.getCachedBytes(MAX_READ_BYTES);
        } catch (LargeObjectException e) {
            throw new CorruptObjectException(id, "is " + ld.getSize() + " bytes, too large to read whole", e);
        }
    }

    /** Reads and parses a tree. */
    public Tree tree(ObjectId id) throws IOException {
        return Tree.parse(id, read(id, ObjectType.TREE));
    }

    /** Reads and parses a commit. */
    public Commit commit(ObjectId id) throws IOException {
        return Commit.parse(id, read(id, ObjectType.COMMIT));
    }

    /**
     * A stream over the object's content, of any type; large objects are not held in memory. The caller
     * closes it. The stream stays valid only while this reader is open.
     */
    public InputStream open(ObjectId id) throws IOException {
        return loader(id, "object").openStream();
    }

    /**
     * Follows annotated tags to the object they name; any other id is returned unchanged.
     *
     * @throws MissingObjectException if the object or a tag's target is absent
     */
    public ObjectId peel(ObjectId id) throws IOException {
        ObjectId cur = id;
        for (int depth = 0; depth < 32; depth++) {
            ObjectLoader ld = loader(cur, "object");
            if (ld.getType() != Constants.OBJ_TAG) {
                return cur;
            }
            byte[] raw = ld.getCachedBytes(MAX_READ_BYTES);
            String head = new String(raw, 0, Math.min(raw.length, 48), StandardCharsets.US_ASCII);
            if (!head.startsWith("object ") || head.length() < 47 || !ObjectId.isHex(head.substring(7, 47))) {
                throw new CorruptObjectException(cur, "annotated tag without an 'object' line");
            }
            cur = ObjectId.fromHex(head.substring(7, 47));
        }
        throw new CorruptObjectException(id, "more than 32 nested annotated tags");
    }

    @Override
    public void close() {
        reader.close();
        db.close();
    }
}
