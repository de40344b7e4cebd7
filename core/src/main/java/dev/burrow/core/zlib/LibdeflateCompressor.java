package dev.burrow.core.zlib;

import java.lang.foreign.MemorySegment;

/**
 * libdeflate's zlib compressor at one level. Burrow levels 1–9 are libdeflate's levels of the same number, which
 * libdeflate tunes to compress about as well as zlib's (its 10–12 are slower, near-optimal parsings Burrow does not
 * offer); level 0 has no libdeflate counterpart before 1.16 and is always {@link JdkCompressor}.
 */
final class LibdeflateCompressor implements Compressor {
    private final int level;
    private MemorySegment state;

    LibdeflateCompressor(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("libdeflate compressor for level 1-9, not " + level);
        }
        this.level = level;
        try {
            state = (MemorySegment) Libdeflate.Handles.ALLOC_COMPRESSOR.invokeExact(level);
        } catch (Throwable t) {
            throw new AssertionError("libdeflate_alloc_compressor threw " + t, t);
        }
        if (state.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("libdeflate_alloc_compressor(" + level + ") failed");
        }
    }

    @Override
    public int level() {
        return level;
    }

    @Override
    public int bound(int len) {
        MemorySegment c = live();
        long n;
        try {
            n = (long) Libdeflate.Handles.COMPRESS_BOUND.invokeExact(c, (long) len);
        } catch (Throwable t) {
            throw new AssertionError("libdeflate_zlib_compress_bound threw " + t, t);
        }
        return Math.toIntExact(n);
    }

    @Override
    public int compress(byte[] in, int off, int len, byte[] out, int outOff, int outLen) {
        if ((off | len | outOff | outLen) < 0 || len > in.length - off || outLen > out.length - outOff) {
            throw new IndexOutOfBoundsException("compress [" + off + ", +" + len + ") of " + in.length + " into ["
                    + outOff + ", +" + outLen + ") of " + out.length);
        }
        MemorySegment c = live();
        long n;
        try {
            n = (long) Libdeflate.Handles.COMPRESS.invokeExact(c, MemorySegment.ofArray(in).asSlice(off, len),
                    (long) len, MemorySegment.ofArray(out).asSlice(outOff, outLen), (long) outLen);
        } catch (Throwable t) {
            throw new AssertionError("libdeflate_zlib_compress threw " + t, t);
        }
        // libdeflate returns 0 exactly when the stream does not fit: a zlib stream is never empty.
        return n == 0 ? -1 : (int) n;
    }

    private MemorySegment live() {
        if (state == null) {
            throw new IllegalStateException("compressor closed");
        }
        return state;
    }

    @Override
    public void close() {
        if (state != null) {
            try {
                Libdeflate.Handles.FREE_COMPRESSOR.invokeExact(state);
            } catch (Throwable t) {
                throw new AssertionError("libdeflate_free_compressor threw " + t, t);
            }
            state = null;
        }
    }
}
