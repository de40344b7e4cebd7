package dev.burrow.core.index;

import static dev.burrow.core.index.IndexFile.BE_INT;
import static dev.burrow.core.index.IndexFile.BE_LONG;

import dev.burrow.core.store.Durability;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes an {@link IndexFile} from entries given in key order, streaming: records go to the temp file and
 * path bytes to a side file that is appended at the end, so the heap holds two fixed buffers whatever the
 * number of entries. {@link #commit()} syncs the file and renames it over the target; {@link #close()}
 * without a commit deletes the temp files.
 */
final class IndexFileWriter implements AutoCloseable {
    private static final int BUFFER = 1 << 16;

    private final Path target;
    private final Path tmp;
    private final Path pathsTmp;
    private final Arena arena = Arena.ofConfined();
    private final FileChannel out;
    private final FileChannel pathsOut;
    private final MemorySegment rec;
    private final ByteBuffer recBuf;
    private final MemorySegment pth;
    private final ByteBuffer pthBuf;
    /** A record being built (see {@link BigEndian}); its id bytes are copied in place afterwards. */
    private final byte[] fixed = new byte[IndexFile.RECORD];
    private long count;
    private long pathsLength;
    private boolean committed;

    IndexFileWriter(Path target) throws IOException {
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String base = target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-";
        tmp = Files.createTempFile(dir, base, "");
        Path p = null;
        FileChannel o = null;
        try {
            p = Files.createTempFile(dir, base, ".paths");
            o = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            pathsOut = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            if (o != null) {
                o.close();
            }
            Files.deleteIfExists(tmp);
            if (p != null) {
                Files.deleteIfExists(p);
            }
            arena.close();
            throw e;
        }
        pathsTmp = p;
        out = o;
        rec = arena.allocate(BUFFER);
        recBuf = rec.asByteBuffer();
        pth = arena.allocate(BUFFER);
        pthBuf = pth.asByteBuffer();
        recBuf.position(IndexFile.HEADER);   // The header is written last, once the counts are known.
    }

    /** Appends an entry; entries must come in strictly increasing {@link Keys} order. */
    void add(MemorySegment pathSeg, long pathOff, int pathLen, long dev, long ino, long nlink, long ctimeNs,
             long mtimeNs, long size, int gitMode, int flags, int attr, MemorySegment idSeg, long idOff) throws IOException {
        if (recBuf.remaining() < IndexFile.RECORD) {
            drain(out, recBuf);
        }
        byte[] f = fixed;
        BigEndian.putLong(f, IndexFile.R_PATH_OFF, pathsLength);
        BigEndian.putInt(f, IndexFile.R_PATH_LEN, pathLen);
        BigEndian.putInt(f, IndexFile.R_GITMODE, gitMode);
        BigEndian.putLong(f, IndexFile.R_DEV, dev);
        BigEndian.putLong(f, IndexFile.R_INO, ino);
        BigEndian.putLong(f, IndexFile.R_NLINK, nlink);
        BigEndian.putLong(f, IndexFile.R_CTIME, ctimeNs);
        BigEndian.putLong(f, IndexFile.R_MTIME, mtimeNs);
        BigEndian.putLong(f, IndexFile.R_SIZE, size);
        BigEndian.putInt(f, IndexFile.R_FLAGS, flags);
        BigEndian.putInt(f, IndexFile.R_ATTR, attr);
        long r = recBuf.position();
        MemorySegment.copy(f, 0, rec, ValueLayout.JAVA_BYTE, r, IndexFile.RECORD);
        MemorySegment.copy(idSeg, idOff, rec, r + IndexFile.R_ID, 20);
        recBuf.position((int) r + IndexFile.RECORD);
        for (long done = 0; done < pathLen; ) {
            if (!pthBuf.hasRemaining()) {
                drain(pathsOut, pthBuf);
            }
            int n = (int) Math.min(pathLen - done, pthBuf.remaining());
            MemorySegment.copy(pathSeg, pathOff + done, pth, pthBuf.position(), n);
            pthBuf.position(pthBuf.position() + n);
            done += n;
        }
        pathsLength += pathLen;
        count++;
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }

    long count() {
        return count;
    }

    /** Finishes the file, syncs it and atomically replaces the target with it. */
    void commit() throws IOException {
        drain(out, recBuf);
        drain(pathsOut, pthBuf);
        long pathsOffset = IndexFile.HEADER + count * IndexFile.RECORD;
        for (long at = 0; at < pathsLength; ) {
            at += pathsOut.transferTo(at, pathsLength - at, out.position(pathsOffset + at));
        }
        rec.set(BE_LONG, 0, IndexFile.MAGIC);
        rec.set(BE_INT, 8, IndexFile.VERSION);
        rec.set(BE_INT, 12, IndexFile.RECORD);
        rec.set(BE_LONG, 16, count);
        rec.set(BE_LONG, 24, pathsOffset);
        rec.set(BE_LONG, 32, pathsLength);
        recBuf.clear().limit(IndexFile.HEADER);
        while (recBuf.hasRemaining()) {
            out.write(recBuf, recBuf.position());   // Positional: the header goes at offset 0.
        }
        long size = pathsOffset + pathsLength;
        // Read back through the buffer rather than mapped: a mapping would make the whole file resident in
        // this process (about 130 bytes per entry) at the end of the save, when its RSS peaks.
        CRC32C crc = new CRC32C();
        for (long at = 0; at < size; ) {
            recBuf.clear().limit((int) Math.min(recBuf.capacity(), size - at));
            int n = out.read(recBuf, at);
            if (n < 0) {
                throw new EOFException(tmp + ": ends at " + at + " of " + size + " bytes just written");
            }
            recBuf.flip();
            crc.update(recBuf);
            at += n;
        }
        recBuf.clear();
        rec.set(BE_INT, 0, (int) crc.getValue());
        recBuf.limit(4);
        while (recBuf.hasRemaining()) {
            out.write(recBuf, size + recBuf.position());
        }
        out.force(true);
        out.close();
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
        Durability.syncDirectory(target.toAbsolutePath().getParent());
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
            pathsOut.close();
        } finally {
            arena.close();
            Files.deleteIfExists(pathsTmp);
            if (!committed) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
