package dev.burrow.core.split;

import dev.burrow.core.ffi.BundledLibrary;
import dev.burrow.core.spi.Chunker;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SIMD chunker in {@code libburrowchunk.so} (module {@code burrow-native}, {@code burrow_chunk.c}), called
 * through the FFM API. It gives exactly {@link JavaChunker}'s results, several times faster on CPUs with AVX2 or
 * AVX-512; the library picks the best path for the CPU at run time.
 *
 * <p>Registered as a {@link Chunker} service; {@link Chunkers} uses it when {@link #unavailabilityCause()} is
 * {@code null}. The library is loaded once, on first use: from the path in the system property
 * {@value #LIBRARY_PROPERTY} if set, else from the jar resource {@code /native/<os>-<arch>/libburrowchunk.so},
 * copied to a temporary file that is deleted once loaded. It runs a self-test when loaded and is not used if that
 * fails. Thread safe; a scan allocates nothing after the first one on a given array (while that array is in use).
 */
public final class NativeChunker implements Chunker {
    /** A path to a {@code libburrowchunk.so} to load instead of the bundled one. */
    public static final String LIBRARY_PROPERTY = "burrow.chunker.library";
    static final String LIBRARY_NAME = "libburrowchunk.so";

    /** The library's code paths ({@code BURROW_ISA_*} in {@code burrow_chunk.h}). */
    static final int ISA_SCALAR = 0;
    static final int ISA_AVX2 = 1;
    static final int ISA_AVX512 = 2;

    /** The path this instance asks for, or -1 for the best one the CPU runs. */
    private final int isa;
    /**
     * Segments of recently scanned arrays, so that repeated scans of a splitter's buffer allocate nothing. A slot is
     * chosen by the array's identity hash, so a few threads with their own buffers rarely evict each other; slots
     * are weak so that they keep no buffer alive. Racy but safe: a slot holds an immutable object or null.
     */
    private final WeakReference<?>[] segments = new WeakReference<?>[SLOTS];
    private static final int SLOTS = 8;

    private static final class Wrapped {
        final byte[] array;
        final MemorySegment segment;

        Wrapped(byte[] array) {
            this.array = array;
            this.segment = MemorySegment.ofArray(array);
        }
    }

    /** The chunker with the best path for this CPU; the public constructor is for {@link java.util.ServiceLoader}. */
    public NativeChunker() {
        this(-1);
    }

    private NativeChunker(int isa) {
        this.isa = isa;
    }

    /** A chunker on one of the library's paths (a path the CPU cannot run falls back to the best it can). */
    static NativeChunker withIsa(int isa) {
        if (isa < ISA_SCALAR || isa > ISA_AVX512) {
            throw new IllegalArgumentException("no such path: " + isa);
        }
        return new NativeChunker(isa);
    }

    /** True when the library is loaded and passed its self-test. */
    public static boolean isAvailable() {
        return Library.CAUSE == null;
    }

    /** The path the library uses on this CPU ({@code ISA_*}); requires {@link #isAvailable()}. */
    static int bestIsa() {
        requireAvailable();
        return Library.ISA;
    }

    @Override
    public long scan(byte[] buf, int start, int from, int to) {
        if (start < 0 || start > from || from > to || to > buf.length) {
            throw new IndexOutOfBoundsException("scan [" + start + ", " + from + ", " + to + ") of " + buf.length);
        }
        requireAvailable();
        MemorySegment segment = segment(buf);
        try {
            if (isa < 0) {
                return (long) Library.SCAN.invokeExact(segment, (long) start, (long) from, (long) to);
            }
            return (long) Library.SCAN_ISA.invokeExact(isa, segment, (long) start, (long) from, (long) to);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("burrow_chunk_scan threw " + t, t);
        }
    }

    private MemorySegment segment(byte[] buf) {
        int slot = System.identityHashCode(buf) & (SLOTS - 1);
        WeakReference<?> cached = segments[slot];
        if (cached != null && cached.get() instanceof Wrapped w && w.array == buf) {
            return w.segment;
        }
        Wrapped w = new Wrapped(buf);
        segments[slot] = new WeakReference<>(w);
        return w.segment;
    }

    @Override
    public String name() {
        return isAvailable() ? "native-" + isaName(effectiveIsa()).toLowerCase(Locale.ROOT).replace("-", "")
                : "native";
    }

    @Override
    public String unavailabilityCause() {
        return Library.CAUSE;
    }

    @Override
    public String description() {
        return isAvailable() ? "native (" + isaName(effectiveIsa()) + ", " + LIBRARY_NAME + ")"
                : "native (unavailable: " + Library.CAUSE + ")";
    }

    private int effectiveIsa() {
        return isa < 0 ? Library.ISA : Math.min(isa, Library.ISA);
    }

    static String isaName(int isa) {
        return switch (isa) {
            case ISA_AVX2 -> "AVX2";
            case ISA_AVX512 -> "AVX-512";
            default -> "scalar";
        };
    }

    private static void requireAvailable() {
        if (Library.CAUSE != null) {
            throw new IllegalStateException("native chunker unavailable: " + Library.CAUSE);
        }
    }

    /**
     * Loads the library on first use. A field is null when the library is unavailable; CAUSE then says why. Also
     * binds {@link SampleEntropy}'s function, which lives in the same library.
     */
    static final class Library {
        static final String CAUSE;
        static final int ISA;
        static final MethodHandle SCAN;
        static final MethodHandle SCAN_ISA;
        static final MethodHandle SAMPLE_ENTROPY;

        static {
            String cause = null;
            int isa = -1;
            MethodHandle scan = null;
            MethodHandle scanIsa = null;
            MethodHandle sample = null;
            List<String> tried = new ArrayList<>();
            try {
                SymbolLookup lookup = BundledLibrary.lookup(LIBRARY_NAME, LIBRARY_PROPERTY, NativeChunker.class,
                        tried);
                if (lookup == null) {
                    cause = BundledLibrary.notBuiltHere();
                } else {
                    Linker linker = Linker.nativeLinker();
                    // critical: the scan is short and never calls back, so it may take heap arrays without copying.
                    Linker.Option critical = Linker.Option.critical(true);
                    scan = linker.downcallHandle(lookup.findOrThrow("burrow_chunk_scan"),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), critical);
                    scanIsa = linker.downcallHandle(lookup.findOrThrow("burrow_chunk_scan_isa"),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), critical);
                    sample = linker.downcallHandle(lookup.findOrThrow("burrow_sample_entropy"),
                            FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), critical);
                    MethodHandle isaHandle = linker.downcallHandle(lookup.findOrThrow("burrow_chunk_isa"),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT));
                    isa = (int) isaHandle.invokeExact();
                    cause = BundledLibrary.selfTestFailure(lookup, "burrow_chunk_selftest", LIBRARY_NAME);
                }
            } catch (Throwable e) {
                cause = BundledLibrary.whyNotLoaded(LIBRARY_NAME, e, tried);
            }
            CAUSE = cause;
            ISA = isa;
            SCAN = cause == null ? scan : null;
            SCAN_ISA = cause == null ? scanIsa : null;
            SAMPLE_ENTROPY = cause == null ? sample : null;
        }
    }
}
