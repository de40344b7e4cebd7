package dev.burrow.core.zlib;

import dev.burrow.core.ffi.ArraySegments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * ISA-L's igzip at its level 1, for Burrow level 1 (bup's default). It compresses about twice as fast as libdeflate's
 * level 1 for about 1.5% more output. Unlike libdeflate and the JDK's zlib, its output for the same input is not
 * always the same bytes: it varies with the process's memory layout (with address-space randomisation turned off,
 * runs agree; with it, about a third of the runs over the benchmark's 20,000 text files differed in one file, by a
 * few bytes, whatever the buffers' alignment or the bytes around them). Every output is a valid zlib stream of the
 * same data, and object ids, which are of the uncompressed content, never change.
 */
final class IsalCompressor implements Compressor {
    private Arena arena = Arena.ofShared();
    private final MemorySegment state;
    /** A segment per call (and a slice of each) was ~200 bytes of garbage per chunk, ~25 MiB per GiB saved. */
    private final ArraySegments inputs = new ArraySegments(1);
    private final ArraySegments outputs = new ArraySegments(1);

    IsalCompressor() {
        if (Isal.Handles.COMPRESS == null) {
            throw new IllegalStateException("ISA-L unavailable: " + Isal.unavailabilityCause());
        }
        state = arena.allocate(Isal.Handles.STATE_SIZE, 64);
    }

    @Override
    public int level() {
        return 1;
    }

    /** igzip writes stored blocks when deflate does not pay: the input, 5 bytes per 64 KiB block, zlib's 6. */
    @Override
    public int bound(int len) {
        return Math.addExact(len, 5 * (len / 65_535 + 1) + 6 + 64);
    }

    @Override
    public int compress(byte[] in, int off, int len, byte[] out, int outOff, int outLen) {
        if ((off | len | outOff | outLen) < 0 || len > in.length - off || outLen > out.length - outOff) {
            throw new IndexOutOfBoundsException("compress [" + off + ", +" + len + ") of " + in.length + " into ["
                    + outOff + ", +" + outLen + ") of " + out.length);
        }
        if (arena == null) {
            throw new IllegalStateException("compressor closed");
        }
        long n;
        try {
            n = (long) Isal.Handles.COMPRESS.invokeExact(state, inputs.of(in), (long) off, (long) len, outputs.of(out),
                    (long) outOff, (long) outLen);
        } catch (Throwable t) {
            throw new AssertionError("burrow_isal_zlib_compress threw " + t, t);
        }
        if (n < 0) {
            throw new IllegalStateException("ISA-L failed to compress " + len + " bytes (error " + n + ")");
        }
        // 0 means it does not fit: a zlib stream is never empty.
        return n == 0 ? -1 : (int) n;
    }

    @Override
    public void close() {
        inputs.clear();
        outputs.clear();
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
