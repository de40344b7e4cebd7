package dev.burrow.core.zlib;

/**
 * Compresses whole buffers into zlib streams (RFC 1950), at one level. Not thread safe: one per thread, closed when
 * that thread is done with it. The output is a standard zlib stream that any zlib reader inflates. For libdeflate
 * and the JDK's zlib, at a given level, the same input always gives the same bytes; ISA-L's (level 1 where it is
 * installed) may differ in a few bytes from run to run (see {@link IsalCompressor}).
 */
public interface Compressor extends AutoCloseable {
    /** The Burrow level (0–9) this compressor was made for. */
    int level();

    /** The most bytes {@link #compress} can write for {@code len} bytes of input. */
    int bound(int len);

    /**
     * Compresses {@code in[off, off+len)} into {@code out[outOff, outOff+outLen)} as one zlib stream.
     *
     * @return the stream's length, or -1 if it does not fit in {@code outLen} bytes (the caller then stores the data
     *     or retries with {@link #bound} bytes of room)
     */
    int compress(byte[] in, int off, int len, byte[] out, int outOff, int outLen);

    /** Frees the compressor's state; it must not be used afterwards. */
    @Override
    void close();
}
