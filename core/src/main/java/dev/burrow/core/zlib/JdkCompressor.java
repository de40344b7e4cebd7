package dev.burrow.core.zlib;

import java.util.zip.Deflater;

/** The JDK's zlib ({@link Deflater}): the fallback, and what Burrow level 0 (stored blocks) always uses. */
final class JdkCompressor implements Compressor {
    private final int level;
    private final Deflater deflater;

    JdkCompressor(int level) {
        this.level = level;
        deflater = new Deflater(level);
    }

    @Override
    public int level() {
        return level;
    }

    @Override
    public int bound(int len) {
        // zlib's deflateBound: a few bytes per 16 KiB stored block plus the header and trailer.
        return len + (len >>> 12) + (len >>> 14) + (len >>> 25) + 64;
    }

    @Override
    public int compress(byte[] in, int off, int len, byte[] out, int outOff, int outLen) {
        deflater.reset();
        deflater.setInput(in, off, len);
        deflater.finish();
        int n = 0;
        while (!deflater.finished() && n < outLen) {
            n += deflater.deflate(out, outOff + n, outLen - n);
        }
        return deflater.finished() ? n : -1;
    }

    @Override
    public void close() {
        deflater.end();
    }
}
