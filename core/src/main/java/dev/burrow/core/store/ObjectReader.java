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
     * Whole (non-delta) objects in the packs that existed when the reader was opened are read directly:
     * offset from the mmapped idx (PackLocator), a small window read with pread, inflated into an array of
     * the exact size (PackStream). That is every object bup and Burrow write, and it keeps JGit's pack
     * window cache (and its garbage) out of tree walks. Everything else -- delta chains after git
     * gc/repack, loose objects, tags, packs written later -- goes to JGit. No JGit type crosses this
     * class's public API.
     */

    private static final int WINDOW = 64 << 10;

    /** Objects larger than this are refused by {@link #read}; stream them with {@link #open}. */
    static final int MAX_READ_BYTES = 64 << 20;

    private final org.eclipse.jgit.lib.Repository db;
    private final org.eclipse.jgit.lib.ObjectReader reader;
    private final byte[] idScratch = new byte[ObjectId.LENGTH];
    private final PackLocator packs;
    private final PackStream stream = new PackStream(WINDOW);

    ObjectReader(Repository repo) throws IOException {
        db = new FileRepositoryBuilder().setGitDir(repo.directory().toFile()).setBare().setMustExist(true).build();
        org.eclipse.jgit.lib.ObjectReader r;
        PackLocator l;
        try {
            r = db.newObjectReader();
            try {
                l = PackLocator.open(repo);
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            db.close();
            stream.close();
            throw e;
        }
        reader = r;
        packs = l;
    }

    /**
     * Positions {@link #stream} on the object if it is whole in a known pack; returns its pack type code,
     * or -1 when JGit must read it (not in a known pack, a delta, or a tag).
     */
    private int openDirect(ObjectId id) throws IOException {
        long loc = packs.locate(id);
        if (loc == PackLocator.NOT_FOUND) {
            return -1;
        }
        int pack = PackLocator.pack(loc);
        int type = stream.open(packs.channel(pack), packs.packPath(pack), PackLocator.offset(loc));
        return type >= 1 && type <= 3 ? type : -1;
    }

    /** The content of the object {@link #openDirect} positioned on. */
    private byte[] readDirect(ObjectId id) throws IOException {
        long size = stream.size();
        if (size > MAX_READ_BYTES) {
            throw new CorruptObjectException(id, "is " + size + " bytes, too large to read whole");
        }
        byte[] out = new byte[(int) size];
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(out);
        while (buf.hasRemaining()) {
            if (stream.read(buf) < 0) {
                throw new CorruptObjectException(id, "ends before its " + size + " bytes");
            }
        }
        // Inflate to the end of the zlib stream, so that its checksum is verified too.
        if (stream.read(java.nio.ByteBuffer.allocate(1)) >= 0) {
            throw new CorruptObjectException(id, "is longer than its " + size + " bytes");
        }
        return out;
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

    /**
     * Where this reader finds objects in the packs: thread safe, for callers that read many objects in
     * pack order themselves (restore), so that the idx files are mapped once per process. Valid until
     * this reader is closed.
     */
    public PackLocator packs() {
        return packs;
    }

    /** True when the object is in the repository. */
    public boolean has(ObjectId id) throws IOException {
        return packs.locate(id) != PackLocator.NOT_FOUND || reader.has(jgit(id));
    }

    /**
     * The object's type.
     *
     * @throws MissingObjectException if it is absent
     * @throws CorruptObjectException if it is an annotated tag (see {@link #peel}) or of an unknown type
     */
    public ObjectType type(ObjectId id) throws IOException {
        int direct = openDirect(id);
        return toType(id, direct > 0 ? direct : loader(id, "object").getType());
    }

    /** The size of the object's content in bytes. */
    public long size(ObjectId id) throws IOException {
        return openDirect(id) > 0 ? stream.size() : loader(id, "object").getSize();
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
        int direct = openDirect(id);
        if (direct > 0) {
            if (direct != expected.packCode()) {
                throw new CorruptObjectException(id, "is a " + Constants.typeString(direct) + ", expected a "
                        + expected.gitName());
            }
            return readDirect(id);
        }
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
        if (openDirect(id) > 0 && stream.size() <= DIRECT_STREAM_BYTES) {
            return new java.io.ByteArrayInputStream(readDirect(id));
        }
        return loader(id, "object").openStream();
    }

    /** Objects up to this size are read whole by {@link #open}; larger ones are streamed by JGit. */
    private static final int DIRECT_STREAM_BYTES = 1 << 20;

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
        try {
            packs.close();
        } catch (IOException e) {
            // Read-only channels: nothing is lost if closing one fails.
        } finally {
            stream.close();
            reader.close();
            db.close();
        }
    }
}
