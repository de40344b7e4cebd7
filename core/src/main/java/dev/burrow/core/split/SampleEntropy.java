package dev.burrow.core.split;

import dev.burrow.core.ffi.ArraySegments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The estimate behind a save's choice to store a chunk rather than deflate it: the order-0 entropy, in bits per byte,
 * of {@value #SAMPLE} bytes sampled in four runs of {@value #SAMPLE_RUN} spread across the chunk. In native code
 * ({@code burrow_sample_entropy} in the chunker's library) where it is loaded, else in Java; both add the same
 * doubles in the same order, so the estimate, and with it every choice, is the same bit for bit. One instance per
 * thread: it keeps the segment of the last array it was given, so that a call allocates nothing.
 */
public final class SampleEntropy {
    public static final int SAMPLE_RUN = 256;
    public static final int SAMPLE = 4 * SAMPLE_RUN;
    /** c·log2(c) for every count a sample can have. */
    private static final double[] C_LOG_C = new double[SAMPLE + 1];
    /** The same table in native memory, for the library. */
    private static final MemorySegment NATIVE_C_LOG_C;

    static {
        for (int c = 1; c <= SAMPLE; c++) {
            C_LOG_C[c] = c * (Math.log(c) / Math.log(2));
        }
        NATIVE_C_LOG_C = Arena.global().allocate(ValueLayout.JAVA_DOUBLE, C_LOG_C.length);
        MemorySegment.copy(C_LOG_C, 0, NATIVE_C_LOG_C, ValueLayout.JAVA_DOUBLE, 0, C_LOG_C.length);
    }

    private final boolean useNative;
    private final int[] histogram = new int[256];
    private final ArraySegments arrays = new ArraySegments(1);

    /** Native where the chunker's library is loaded. */
    public SampleEntropy() {
        this(NativeChunker.isAvailable());
    }

    private SampleEntropy(boolean useNative) {
        this.useNative = useNative;
    }

    /** The Java implementation whatever is loaded, for tests and benchmarks. */
    public static SampleEntropy java() {
        return new SampleEntropy(false);
    }

    public boolean isNative() {
        return useNative;
    }

    /** The estimate for {@code data[off, off+len)}, in bits per byte; requires {@code len >= SAMPLE}. */
    public double bits(byte[] data, int off, int len) {
        if (len < SAMPLE || off < 0 || len > data.length - off) {
            throw new IndexOutOfBoundsException("sample of [" + off + ", +" + len + ") of " + data.length
                    + " (at least " + SAMPLE + " bytes)");
        }
        return useNative ? bitsNative(data, off, len) : bitsJava(data, off, len);
    }

    private double bitsNative(byte[] data, int off, int len) {
        try {
            return (double) NativeChunker.Library.SAMPLE_ENTROPY.invokeExact(arrays.of(data), (long) off, (long) len,
                    NATIVE_C_LOG_C);
        } catch (Throwable t) {
            throw new AssertionError("burrow_sample_entropy threw " + t, t);
        }
    }

    private double bitsJava(byte[] data, int off, int len) {
        int[] h = histogram;
        Arrays.fill(h, 0);
        int step = (len - SAMPLE_RUN) / 3;
        for (int r = 0; r < 4; r++) {
            int base = off + r * step;
            for (int j = 0; j < SAMPLE_RUN; j++) {
                h[data[base + j] & 0xff]++;
            }
        }
        double sum = 0;
        for (int c : h) {
            sum += C_LOG_C[c];
        }
        return (C_LOG_C[SAMPLE] - sum) / SAMPLE;
    }
}
