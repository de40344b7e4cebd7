package dev.burrow.core.store;

import dev.burrow.core.hash.Sha1Hasher;
import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.meta.OpenFile;
import dev.burrow.core.zlib.Zlib;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Writes one packfile and its idx v2 in a temporary directory, then moves both into
 * {@code objects/pack} (pack first, as bup does) once they are complete and synced.
 *
 * <p>Objects are whole (no deltas) and zlib-deflated. The pack's object count is patched into its header
 * at the end, so the trailing SHA-1 is computed in a second sequential read of the finished file.
 * Not thread safe.
 */
final class PackWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PackWriter.class.getName());
    // For the output buffer (off-heap) and the trailer's read-back (whose heap buffer the JDK copies through a
    // temporary direct buffer of the same size, cached per thread): 256 KiB rather than 1 MiB keeps 1.5 MiB
    // less resident for a few thousand more syscalls per GiB.
    private static final int IO_BUFFER = 256 << 10;
    /**
     * New bytes after which they are handed to the kernel's writeback. Without it nothing of a pack reaches the disk
     * before its fsync (dirty pages wait 30 s, or for a tenth of the memory), so the fsync of a save's last pack
     * wrote it all while the save waited: ~0.15 s per 256 MiB here.
     */
    static final long WRITEBACK_BYTES = 8 << 20;

    private final Path tmpDir;
    private final Path tmpPack;
    private final FileChannel channel;
    /** A second descriptor of the pack, for writeback hints; null where there are none, or after one failed. */
    private OpenFile writeback;
    private long writebackFrom;
    private final ByteBuffer out = ByteBuffer.allocateDirect(IO_BUFFER);
    private final ObjectIdTable table = new ObjectIdTable();
    private final CRC32 crc = new CRC32();
    private final byte[] header = new byte[16];
    private long position;
    private boolean finished;

    PackWriter(Path tmpDir) throws IOException {
        this.tmpDir = tmpDir;
        this.tmpPack = Files.createTempFile(tmpDir, "tmp-", ".pack");
        this.channel = FileChannel.open(tmpPack, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.writeback = openWriteback(tmpPack);
        out.put(new byte[] {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0});
        position = 12;
    }

    int objectCount() {
        return table.size();
    }

    long bytesWritten() {
        return position;
    }

    boolean contains(byte[] id, int off) {
        return table.contains(id, off);
    }

    /** Appends one object whose deflated content is {@code z[0, zlen)}. */
    void write(ObjectType type, long size, byte[] id, int idOff, byte[] z, int zlen) throws IOException {
        write(type, size, id, idOff, z, 0, zlen);
    }

    /** Appends one object whose deflated content (a whole zlib stream) is {@code z[zoff, zoff+zlen)}. */
    void write(ObjectType type, long size, byte[] id, int idOff, byte[] z, int zoff, int zlen) throws IOException {
        int h = objectHeader(type, size);
        crc.reset();
        crc.update(header, 0, h);
        crc.update(z, zoff, zlen);
        table.add(id, idOff, position, (int) crc.getValue());
        put(header, 0, h);
        put(z, zoff, zlen);
    }

    /**
     * Appends one object stored uncompressed: a zlib stream of stored deflate blocks (what zlib level 0
     * writes, which every zlib reader accepts) around {@code data[off, off+len)}, whose Adler-32 is
     * {@code adler}. The data is copied once, straight into the output buffer.
     */
    void writeStored(ObjectType type, byte[] id, int idOff, byte[] data, int off, int len, int adler)
            throws IOException {
        int h = objectHeader(type, len);
        crc.reset();
        crc.update(header, 0, h);
        table.add(id, idOff, position, 0);
        put(header, 0, h);
        // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest, no dictionary; 0x7801 is a multiple of 31).
        header[0] = 0x78;
        header[1] = 0x01;
        putCrc(header, 0, 2);
        int p = off;
        int rest = len;
        do {
            int n = Math.min(rest, 0xffff);
            rest -= n;
            header[0] = (byte) (rest == 0 ? 1 : 0);   // BFINAL on the last block, BTYPE 00 (stored)
            header[1] = (byte) n;
            header[2] = (byte) (n >>> 8);
            header[3] = (byte) ~n;
            header[4] = (byte) (~n >>> 8);
            putCrc(header, 0, 5);
            putCrc(data, p, n);
            p += n;
        } while (rest > 0);
        header[0] = (byte) (adler >>> 24);
        header[1] = (byte) (adler >>> 16);
        header[2] = (byte) (adler >>> 8);
        header[3] = (byte) adler;
        putCrc(header, 0, 4);
        table.setCrc(table.size() - 1, (int) crc.getValue());
    }

    private void putCrc(byte[] src, int off, int len) throws IOException {
        crc.update(src, off, len);
        put(src, off, len);
    }

    private int objectHeader(ObjectType type, long size) {
        int h = 0;
        long rest = size >>> 4;
        int b = type.packCode() << 4 | (int) (size & 0x0f);
        while (rest != 0) {
            header[h++] = (byte) (b | 0x80);
            b = (int) (rest & 0x7f);
            rest >>>= 7;
        }
        header[h++] = (byte) b;
        return h;
    }

    private void put(byte[] src, int off, int len) throws IOException {
        while (len > 0) {
            if (!out.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, out.remaining());
            out.put(src, off, n);
            off += n;
            len -= n;
            position += n;
        }
    }

    private void drain() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
        if (writeback != null && position - writebackFrom >= WRITEBACK_BYTES) {
            try {
                writeback.startWriteback(writebackFrom, position - writebackFrom);
                writebackFrom = position;
            } catch (IOException e) {
                // Only a hint: the fsync at the end writes whatever is left.
                LOG.log(System.Logger.Level.DEBUG, () -> "no writeback hints for " + tmpPack + ": " + e.getMessage());
                closeWriteback();
            }
        }
    }

    private static OpenFile openWriteback(Path pack) {
        try {
            return OpenFile.openForHints(pack);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "no writeback hints for " + pack + ": " + e);
            return null;
        }
    }

    private void closeWriteback() {
        if (writeback != null) {
            try {
                writeback.close();
            } catch (IOException e) {
                // Nothing was written through it.
            }
            writeback = null;
        }
    }

    /** The ids of the objects written so far, 20 bytes each, in writing order (a live view: do not modify). */
    byte[] ids() {
        return table.idsArray();
    }

    /**
     * Completes the pack and idx, syncs them, and moves them into {@code packDir}.
     *
     * @return the final idx path
     */
    Path finish(Path packDir) throws IOException {
        drain();
        ByteBuffer count = ByteBuffer.allocate(4).putInt(0, table.size());
        channel.write(count, 8);
        byte[] packSha = sha1Of(channel, position);
        channel.write(ByteBuffer.wrap(packSha), position);
        channel.force(true);
        channel.close();
        if (writeback != null) {
            // The pack is on disk: let its pages go now (as borg does with its segments). Taking fresh pages for
            // the next pack cost the kernel's copy in write() up to 15x more where the memory had to be faulted in
            // again (a VM whose host reclaims the guest's free memory): 1 GiB first save 4.2-4.3 -> 3.7-4.0 s.
            writeback.dropCached();
        }
        closeWriteback();

        String name = "pack-" + HexFormat.of().formatHex(packSha);
        Path tmpIdx = tmpDir.resolve(name + ".idx.tmp");
        PackIndexWriter.write(tmpIdx, table, packSha);

        Path pack = packDir.resolve(name + ".pack");
        Path idx = packDir.resolve(name + ".idx");
        Files.move(tmpPack, pack, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpIdx, idx, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durability.syncDirectory(packDir);
        finished = true;
        return idx;
    }

    private static byte[] sha1Of(FileChannel ch, long length) throws IOException {
        Sha1Hasher sha1 = Sha1Hashers.create();
        // A heap array, not the direct buffer: both hashers take arrays without copying (MessageDigest copied a
        // direct buffer out 4 KiB at a time first, which took twice as long, see backup-engine.md).
        byte[] buf = new byte[IO_BUFFER];
        ByteBuffer wrapped = ByteBuffer.wrap(buf);
        long pos = 0;
        while (pos < length) {
            wrapped.clear();
            wrapped.limit((int) Math.min(buf.length, length - pos));
            int n = ch.read(wrapped, pos);
            if (n < 0) {
                throw new IOException("pack shrank while it was being written");
            }
            pos += n;
            sha1.update(buf, 0, n);
        }
        byte[] digest = new byte[Sha1Hasher.LENGTH];
        sha1.digest(digest, 0);
        return digest;
    }

    /** Deletes the temporary pack unless it was finished. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            closeWriteback();
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(tmpPack);
            }
        }
    }

    /** Deflates into a reusable buffer, with {@link Zlib}'s compressor (libdeflate where available). */
    static final class Compressor {
        private final dev.burrow.core.zlib.Compressor zlib;
        private byte[] buf = new byte[64 * 1024];

        Compressor(int level) {
            zlib = Zlib.compressor(level);
        }

        byte[] buffer() {
            return buf;
        }

        /** Deflates {@code data[off, off+len)}; the result is {@code buffer()[0, returned)}. */
        int deflate(byte[] data, int off, int len) {
            int bound = zlib.bound(len);
            if (buf.length < bound) {
                buf = new byte[bound];
            }
            int n = zlib.compress(data, off, len, buf, 0, buf.length);
            if (n < 0) {
                throw new AssertionError("zlib output of " + len + " bytes exceeds its bound " + bound);
            }
            return n;
        }

        void end() {
            zlib.close();
        }
    }
}
