package dev.burrow.core.store;

import dev.burrow.core.hash.Sha1Hasher;
import dev.burrow.core.hash.Sha1Hashers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Stores objects in new packfiles, each object once across the whole repository: an object whose id is
 * already in any idx, or already written in this session, is skipped. That is how deduplication works.
 *
 * <p>Nothing is visible to readers until {@link #flush()} has moved a complete, synced pack and idx into
 * {@code objects/pack}; {@link #close()} without a flush throws the unfinished pack away, so a failed or
 * killed operation leaves the repository as it was (at most with extra, unreferenced packs).
 *
 * <p>Not thread safe, except {@link #existsInRepository}. The hot path ({@link #insert(ObjectType, byte[], int, int, byte[], int)}) allocates
 * nothing per object: ids go into caller buffers, and the digest, deflater and buffers are reused.
 */
public final class ObjectInserter implements AutoCloseable {
    /** bup's pack.packSizeLimit default. */
    static final long PACK_SIZE_LIMIT = 1_000_000_000L;
    /** bup closes a pack at size_limit / 5000 objects. */
    static final int PACK_OBJECT_LIMIT = 200_000;

    private final Repository repo;
    private final Path tmpDir;
    private KnownObjects known;
    private final Sha1Hasher sha1 = Sha1Hashers.create();
    private final byte[] header = new byte[32];
    private PackWriter.Compressor compressor = new PackWriter.Compressor(1);
    private int compression = 1;
    private PackWriter pack;
    private long objectsWritten;
    private long bytesWritten;

    ObjectInserter(Repository repo) throws IOException {
        this.repo = repo;
        Path objects = repo.directory().resolve("objects");
        removeStaleTempDirectories(objects);
        this.tmpDir = Files.createTempDirectory(objects, "burrow-tmp-" + ProcessHandle.current().pid() + "-");
        try {
            known = KnownObjects.open(repo.packDirectory());
        } catch (IOException | RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    /** Deletes temp directories left by Burrow processes that no longer run (e.g. killed mid-save). */
    private static void removeStaleTempDirectories(Path objects) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(objects, "burrow-tmp-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[2]);
                } catch (RuntimeException e) {
                    continue;   // Not one of ours.
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(dir);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** zlib level 0–9 for objects written from now on. */
    public void setCompression(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + level);
        }
        if (level != compression) {
            compressor.end();
            compressor = new PackWriter.Compressor(level);
            compression = level;
        }
    }

    /** Objects written by this inserter so far (not counting skipped duplicates). */
    public long objectsWritten() {
        return objectsWritten;
    }

    /** Uncompressed content bytes of the objects written so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Computes the id of an object without storing it. */
    public void computeId(ObjectType type, byte[] data, int off, int len, byte[] idOut, int idOff) {
        sha1.reset();
        int h = type.header(len, header);
        sha1.update(header, 0, h);
        sha1.update(data, off, len);
        sha1.digest(idOut, idOff);
    }

    /** True when the object is in the repository or was written by this inserter. */
    public boolean exists(byte[] id, int off) {
        if (pack != null && pack.contains(id, off)) {
            return true;
        }
        return known.contains(id, off);
    }

    /** True when the object is in the repository or was written by this inserter. */
    public boolean exists(ObjectId id) {
        byte[] raw = id.toBytes();
        return exists(raw, 0);
    }

    /**
     * Stores {@code data[off, off+len)} as an object of {@code type} unless it already exists, and puts its
     * id into {@code idOut[idOff, idOff+20)}.
     *
     * @return true if the object was new and written
     */
    public boolean insert(ObjectType type, byte[] data, int off, int len, byte[] idOut, int idOff) throws IOException {
        computeId(type, data, off, len, idOut, idOff);
        if (exists(idOut, idOff)) {
            return false;
        }
        try {
            int zlen = compressor.deflate(data, off, len);
            openPack().write(type, len, idOut, idOff, compressor.buffer(), zlen);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    /**
     * True when the object is in a pack of the repository (one that existed when this inserter opened, or one
     * it has finished since). Unlike {@link #exists}, this may be called from any thread at the same time as
     * the inserter is used, as long as the inserter is not closed; it ignores the pack being written.
     */
    public boolean existsInRepository(byte[] id, int off) {
        return known.contains(id, off);
    }

    /**
     * Stores an object whose id was computed elsewhere and whose zlib stream is {@code z[zoff, zoff+zlen)},
     * unless it already exists (the id is trusted, not checked).
     *
     * @return true if the object was new and written
     */
    public boolean insertDeflated(ObjectType type, int len, byte[] id, int idOff, byte[] z, int zoff, int zlen)
            throws IOException {
        if (exists(id, idOff)) {
            return false;
        }
        try {
            openPack().write(type, len, id, idOff, z, zoff, zlen);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    /**
     * Stores {@code data[off, off+len)} uncompressed (zlib level 0, stored blocks), whose id was computed
     * elsewhere and whose Adler-32 is {@code adler}, unless it already exists (the id is trusted).
     *
     * @return true if the object was new and written
     */
    public boolean insertStored(ObjectType type, byte[] data, int off, int len, int adler, byte[] id, int idOff)
            throws IOException {
        if (exists(id, idOff)) {
            return false;
        }
        try {
            openPack().writeStored(type, id, idOff, data, off, len, adler);
            written(len);
        } catch (IOException e) {
            throw namingTheRepository(e);
        }
        return true;
    }

    private PackWriter openPack() throws IOException {
        if (pack == null) {
            pack = new PackWriter(tmpDir);
        }
        return pack;
    }

    private void written(int len) throws IOException {
        objectsWritten++;
        bytesWritten += len;
        if (pack.bytesWritten() >= PACK_SIZE_LIMIT || pack.objectCount() >= PACK_OBJECT_LIMIT) {
            finishPack();
        }
    }

    /** Stores a whole object and returns its id. */
    public ObjectId insert(ObjectType type, byte[] data) throws IOException {
        byte[] id = new byte[ObjectId.LENGTH];
        insert(type, data, 0, data.length, id, 0);
        return ObjectId.fromBytes(id, 0);
    }

    /** Stores text (a commit) as UTF-8. */
    public ObjectId insert(ObjectType type, String text) throws IOException {
        return insert(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Makes everything written so far durable and visible: finishes the current pack, syncs it and moves
     * it into place. Call before moving a ref to the new objects.
     */
    public void flush() throws IOException {
        if (pack != null) {
            try {
                finishPack();
            } catch (IOException e) {
                throw namingTheRepository(e);
            }
        }
    }

    /** Channel writes fail with a bare "No space left on device"; say which repository is full. */
    private IOException namingTheRepository(IOException e) {
        if (e instanceof FileSystemException || !String.valueOf(e.getMessage()).contains("No space left on device")) {
            return e;
        }
        FileSystemException named = new FileSystemException(repo.directory().toString(), null, e.getMessage());
        named.initCause(e);
        return named;
    }

    private void finishPack() throws IOException {
        PackWriter p = pack;
        pack = null;
        try (p) {
            if (p.objectCount() > 0) {
                Path idx = p.finish(repo.packDirectory());
                known.addPack(idx, p.ids(), p.objectCount());
            }
        }
    }

    /** Discards an unflushed pack and the temp directory; objects already flushed stay. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        try {
            if (pack != null) {
                pack.close();
                pack = null;
            }
        } catch (IOException e) {
            first = e;
        }
        closeQuietly(first);
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly(Exception first) {
        if (known != null) {
            known.close();
        }
        compressor.end();
        try {
            deleteTree(tmpDir);
        } catch (IOException e) {
            if (first != null) {
                first.addSuppressed(e);
            }
        }
    }
}
