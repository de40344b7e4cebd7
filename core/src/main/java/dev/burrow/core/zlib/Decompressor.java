package dev.burrow.core.zlib;

import java.nio.ByteBuffer;

/**
 * Inflates whole zlib streams (RFC 1950) whose uncompressed size is known in advance, as a pack object's header
 * gives it. The input may run on past the stream's end (git pack entries are not length-prefixed); the number of
 * bytes the stream took is returned. Not thread safe: one per thread, closed when that thread is done with it.
 */
public interface Decompressor extends AutoCloseable {
    /**
     * Inflates the stream that starts at {@code in[off]} and ends no later than {@code in[off+len)}; it must give
     * exactly {@code size} bytes, written to {@code out[outOff, outOff+size)}.
     *
     * @return the length of the zlib stream (its header, data and checksum)
     * @throws ZlibException if the stream is damaged, truncated, or does not give exactly {@code size} bytes
     */
    int decompress(byte[] in, int off, int len, byte[] out, int outOff, int size) throws ZlibException;

    /**
     * As {@link #decompress(byte[], int, int, byte[], int, int)}, from {@code in}'s position up to its limit into
     * {@code out} at its position; on success both positions move past what was used. Either buffer may be direct
     * or on the heap. On failure the positions are unspecified.
     */
    void decompress(ByteBuffer in, ByteBuffer out, int size) throws ZlibException;

    /** Frees the decompressor's state; it must not be used afterwards. */
    @Override
    void close();
}
