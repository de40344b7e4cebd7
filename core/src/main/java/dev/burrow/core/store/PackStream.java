package dev.burrow.core.store;

import dev.burrow.core.zlib.Decompressor;
import dev.burrow.core.zlib.Zlib;
import dev.burrow.core.zlib.ZlibException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads whole objects out of packs through one fixed window, for callers that visit objects in pack
 * order: consecutive objects come out of the same window, refilled by sequential positional reads, so a
 * pack is read once, front to back, whatever the size of its objects. Inflates straight from the window
 * into the caller's buffer (a stored, level-0 stream is a plain copy inside zlib). An object of up to half
 * the window that fits in the caller's buffer is inflated whole, in one call, by {@link Zlib}'s
 * decompressor (libdeflate where available: two to three times faster than zlib); larger ones, and a
 * stream the whole-object call rejects, are streamed through the JDK's {@link Inflater}, whose verdict on
 * a damaged stream is final. Memory is the window and the two inflaters' state, whatever the object size.
 *
 * <p>Only whole objects (commit, tree, blob, tag) are read; for a delta object (after {@code git gc})
 * {@link #open} returns its type and the caller reads it another way. Not thread safe: one per thread.
 */
public final class PackStream implements AutoCloseable {
    /** Pack type code of an offset delta. */
    public static final int OFS_DELTA = 6;
    /** Pack type code of a reference delta. */
    public static final int REF_DELTA = 7;
    private static final int MAX_HEADER = 16;

    private final ByteBuffer window;
    private final Inflater inflater = new Inflater();
    private final Decompressor whole = Zlib.decompressor();
    private FileChannel channel;
    private Path path;
    private long channelSize;
    /** Pack offset of window[0]; the window holds [windowStart, windowStart + window.limit()). */
    private long windowStart = -1;
    private long size;
    private long produced;
    private boolean inObject;
    /** Pack offset of the open object's zlib stream. */
    private long dataStart;
    /** The open object was inflated whole; the next read reports its end. */
    private boolean wholeDone;
    /** The open object is streamed through {@link #inflater}. */
    private boolean streaming;

    /** @param windowBytes the read window (a direct buffer), e.g. 1 MiB */
    public PackStream(int windowBytes) {
        window = ByteBuffer.allocateDirect(Math.max(windowBytes, 4096));
    }

    /**
     * Positions on the object at {@code offset} of the pack and reads its header.
     *
     * @return the pack type code: 1 commit, 2 tree, 3 blob, 4 tag, {@link #OFS_DELTA} or
     *     {@link #REF_DELTA}; for the first four, {@link #size()} is the content size and {@link #read}
     *     returns the content
     * @throws CorruptPackException if the header is malformed
     */
    public int open(FileChannel pack, Path packPath, long offset) throws IOException {
        if (pack != channel) {
            channel = pack;
            path = packPath;
            channelSize = pack.size();
            windowStart = -1;
        }
        inObject = false;
        if (windowStart < 0 || offset < windowStart || offset + MAX_HEADER > windowStart + window.limit()) {
            fill(offset);
        }
        int p = (int) (offset - windowStart);
        int b = window.get(p++) & 0xff;
        int type = b >>> 4 & 7;
        long s = b & 0x0f;
        int shift = 4;
        while ((b & 0x80) != 0) {
            if (p >= window.limit() || shift > 57) {
                throw new CorruptPackException(path, "bad object header at offset " + offset);
            }
            b = window.get(p++) & 0xff;
            s |= (long) (b & 0x7f) << shift;
            shift += 7;
        }
        if (type == 0 || type == 5) {
            throw new CorruptPackException(path, "unknown object type " + type + " at offset " + offset);
        }
        if (type == OFS_DELTA || type == REF_DELTA) {
            return type;
        }
        size = s;
        produced = 0;
        inObject = true;
        wholeDone = false;
        streaming = false;
        dataStart = windowStart + p;
        return type;
    }

    /** The content size of the object opened last. */
    public long size() {
        return size;
    }

    /**
     * Inflates the next part of the object into {@code out} (from its position up to its limit).
     *
     * @return the number of bytes added, or -1 at the end of the object; never 0 while {@code out} has room
     * @throws CorruptPackException if the zlib stream is damaged or its length is not the header's
     */
    public int read(ByteBuffer out) throws IOException {
        if (!inObject) {
            throw new IllegalStateException("no object open");
        }
        if (!out.hasRemaining()) {
            return 0;
        }
        if (wholeDone) {
            inObject = false;
            return -1;
        }
        if (!streaming) {
            if (size <= window.capacity() / 2 && size <= out.remaining() && inflateWhole(out)) {
                produced = size;
                if (size == 0) {
                    inObject = false;
                    return -1;
                }
                wholeDone = true;
                return (int) size;
            }
            streaming = true;
            inflater.reset();
            if (dataStart < windowStart || dataStart >= windowStart + window.limit()) {
                fill(dataStart);
            }
            window.position((int) (dataStart - windowStart));
            inflater.setInput(window);
        }
        while (true) {
            int n;
            try {
                n = inflater.inflate(out);
            } catch (DataFormatException e) {
                throw new CorruptPackException(path, "bad zlib data near offset " + (windowStart + window.position())
                        + ": " + e.getMessage());
            }
            if (n > 0) {
                produced += n;
                if (produced > size) {
                    throw new CorruptPackException(path, "object near offset " + (windowStart + window.position())
                            + " inflates to more than its " + size + " bytes");
                }
                return n;
            }
            if (inflater.finished()) {
                inObject = false;
                if (produced != size) {
                    throw new CorruptPackException(path, "object near offset " + (windowStart + window.position())
                            + " inflates to " + produced + " bytes, its header says " + size);
                }
                return -1;
            }
            if (inflater.needsDictionary()) {
                throw new CorruptPackException(path, "zlib stream with a preset dictionary near offset "
                        + (windowStart + window.position()));
            }
            if (inflater.needsInput()) {
                long next = windowStart + window.position();
                if (next >= channelSize) {
                    throw new CorruptPackException(path, "object truncated at the end of the pack");
                }
                fill(next);
                inflater.setInput(window);
            }
        }
    }

    /**
     * Inflates the open object into {@code out} in one call, first moving the window to the object if its
     * stream could run past the window's end. False if the decompressor rejects the stream; the caller then
     * streams it, which either reads it after all (a valid stream larger than the bound below) or reports
     * exactly what is wrong.
     */
    private boolean inflateWhole(ByteBuffer out) throws IOException {
        // A stored stream, the longest any sane encoder writes: 5 bytes per 64 KiB block, header and checksum.
        long bound = size + (size >>> 13) + 64;
        long windowEnd = windowStart + window.limit();
        if (windowEnd - dataStart < bound && windowEnd < channelSize) {
            fill(dataStart);
        }
        window.position((int) (dataStart - windowStart));
        try {
            whole.decompress(window, out, (int) size);
            return true;
        } catch (ZlibException e) {
            return false;
        }
    }

    private void fill(long from) throws IOException {
        if (from >= channelSize) {
            throw new CorruptPackException(path, "offset " + from + " is past the end of the pack (" + channelSize
                    + " bytes)");
        }
        window.clear();
        long end = Math.min(channelSize, from + window.capacity());
        window.limit((int) (end - from));
        long pos = from;
        while (window.hasRemaining()) {
            int n = channel.read(window, pos);
            if (n < 0) {
                throw new CorruptPackException(path, "pack shrank while it was read (at " + pos + ")");
            }
            pos += n;
        }
        window.flip();
        windowStart = from;
    }

    @Override
    public void close() {
        inflater.end();
        whole.close();
    }
}
