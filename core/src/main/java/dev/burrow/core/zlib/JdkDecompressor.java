package dev.burrow.core.zlib;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The JDK's zlib ({@link Inflater}): the fallback. */
final class JdkDecompressor implements Decompressor {
    private final Inflater inflater = new Inflater();
    /** Room for one byte past the expected size, to tell a stream that is too long from one that is exact. */
    private final byte[] extra = new byte[1];

    @Override
    public int decompress(byte[] in, int off, int len, byte[] out, int outOff, int size) throws ZlibException {
        inflater.reset();
        inflater.setInput(in, off, len);
        int n = 0;
        try {
            while (n < size) {
                int k = inflater.inflate(out, outOff + n, size - n);
                if (k == 0 && stalled()) {
                    break;
                }
                n += k;
            }
            finish(n, size);
        } catch (DataFormatException e) {
            throw new ZlibException("bad zlib data: " + e.getMessage());
        }
        return (int) inflater.getBytesRead();
    }

    @Override
    public void decompress(ByteBuffer in, ByteBuffer out, int size) throws ZlibException {
        if (out.remaining() < size) {
            throw new IllegalArgumentException("room for " + out.remaining() + " bytes, not " + size);
        }
        inflater.reset();
        int start = in.position();
        int outStart = out.position();
        int outLimit = out.limit();
        inflater.setInput(in);
        // A limit, not a slice, so that a call allocates nothing.
        out.limit(outStart + size);
        try {
            while (out.hasRemaining()) {
                if (inflater.inflate(out) == 0 && stalled()) {
                    break;
                }
            }
            finish(out.position() - outStart, size);
        } catch (DataFormatException e) {
            throw new ZlibException("bad zlib data: " + e.getMessage());
        } finally {
            out.limit(outLimit);
        }
        in.position(start + (int) inflater.getBytesRead());
    }

    /** True when inflate gave nothing and cannot give more: the stream ended early or its input ran out. */
    private boolean stalled() throws ZlibException {
        if (inflater.needsDictionary()) {
            throw new ZlibException("zlib stream with a preset dictionary");
        }
        return inflater.finished() || inflater.needsInput();
    }

    /** After {@code n} bytes: the stream must end here, checksum included. */
    private void finish(int n, int size) throws DataFormatException {
        if (!inflater.finished() && n == size && inflater.inflate(extra) > 0) {
            throw new ZlibException("zlib stream inflates to more than " + size + " bytes");
        }
        if (!inflater.finished()) {
            throw new ZlibException(inflater.needsInput() ? "zlib stream truncated after " + n + " of " + size
                    + " bytes" : "zlib stream did not end");
        }
        if (n != size) {
            throw new ZlibException("zlib stream inflates to " + n + " bytes, not " + size);
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
