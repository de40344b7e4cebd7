package dev.burrow.core.hash;

import dev.burrow.core.ffi.ArraySegments;
import dev.burrow.core.ffi.BundledLibrary;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SHA-1 in {@code libburrowsha1.so} (module {@code burrow-native}, {@code burrow_sha1.c}) through the FFM API: the
 * CPU's SHA instructions where it has them, portable C otherwise. It matters when the JVM runs without C2 (as the
 * save does, see {@code scripts/jvm-options}): the JDK's SHA-1 uses those instructions only in C2-compiled code.
 *
 * <p>The library is loaded once, on first use, from the path in the system property {@value #LIBRARY_PROPERTY} if
 * set, else from the bundled resource, and is not used if its self-test fails. The C context lives in a Java
 * {@code long[]} and the data stays in its array: the calls are critical (short, no callbacks), so the C code reads
 * the heap directly, and a hasher allocates nothing per call once it has seen its arrays.
 */
final class NativeSha1 implements Sha1Hasher {
    static final String LIBRARY_PROPERTY = "burrow.sha1.library";
    static final String LIBRARY_NAME = "libburrowsha1.so";

    /** The library's code paths ({@code BURROW_SHA1_*} in {@code burrow_sha1.h}). */
    static final int ISA_SCALAR = 0;
    static final int ISA_SHANI = 1;

    private final int isa;
    private final MemorySegment context;
    private final byte[] digest = new byte[LENGTH];
    private final MemorySegment digestSegment = MemorySegment.ofArray(digest);
    /** The two arrays hashed last: a chunk's read block and the writer's object buffers. */
    private final ArraySegments arrays = new ArraySegments(2);

    /** A hasher on the best path this CPU runs; requires {@link #unavailabilityCause()} to be null. */
    NativeSha1() {
        this(-1);
    }

    /** A hasher on the given path ({@code ISA_*}; one the CPU cannot run falls back to the best it can). */
    NativeSha1(int isa) {
        requireAvailable();
        this.isa = isa;
        context = MemorySegment.ofArray(new long[(int) ((Library.CONTEXT_SIZE + 7) / 8)]);
        reset();
    }

    /** Null when the library is loaded and passed its self-test; else why not. */
    static String unavailabilityCause() {
        return Library.CAUSE;
    }

    /** The path the library uses on this CPU ({@code ISA_*}); requires the library. */
    static int bestIsa() {
        requireAvailable();
        return Library.ISA;
    }

    static String isaName(int isa) {
        return isa == ISA_SHANI ? "SHA-NI" : "scalar";
    }

    @Override
    public void reset() {
        try {
            Library.INIT.invokeExact(context, isa);
        } catch (Throwable t) {
            throw new AssertionError("burrow_sha1_init threw " + t, t);
        }
    }

    @Override
    public void update(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        try {
            Library.UPDATE.invokeExact(context, arrays.of(data), (long) off, (long) len);
        } catch (Throwable t) {
            throw new AssertionError("burrow_sha1_update threw " + t, t);
        }
    }

    @Override
    public void digest(byte[] out, int off) {
        Objects.checkFromIndexSize(off, LENGTH, out.length);
        try {
            Library.FINAL.invokeExact(context, digestSegment);
        } catch (Throwable t) {
            throw new AssertionError("burrow_sha1_final threw " + t, t);
        }
        System.arraycopy(digest, 0, out, off, LENGTH);
    }

    private static void requireAvailable() {
        if (Library.CAUSE != null) {
            throw new IllegalStateException("native SHA-1 unavailable: " + Library.CAUSE);
        }
    }

    /** Loads the library on first use. The handles are null when it is unavailable; CAUSE then says why. */
    private static final class Library {
        static final String CAUSE;
        static final int ISA;
        static final long CONTEXT_SIZE;
        static final MethodHandle INIT;
        static final MethodHandle UPDATE;
        static final MethodHandle FINAL;

        static {
            String cause = null;
            int isa = -1;
            long size = 0;
            MethodHandle init = null;
            MethodHandle update = null;
            MethodHandle fin = null;
            List<String> tried = new ArrayList<>();
            try {
                SymbolLookup lookup = BundledLibrary.lookup(LIBRARY_NAME, LIBRARY_PROPERTY, NativeSha1.class, tried);
                if (lookup == null) {
                    cause = BundledLibrary.notBuiltHere();
                } else {
                    Linker linker = Linker.nativeLinker();
                    // critical: the calls are short and never call back, so they may take heap arrays as they are.
                    Linker.Option critical = Linker.Option.critical(true);
                    init = linker.downcallHandle(lookup.findOrThrow("burrow_sha1_init"),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT), critical);
                    update = linker.downcallHandle(lookup.findOrThrow("burrow_sha1_update"),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG), critical);
                    fin = linker.downcallHandle(lookup.findOrThrow("burrow_sha1_final"),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS), critical);
                    isa = (int) linker.downcallHandle(lookup.findOrThrow("burrow_sha1_isa"),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
                    size = (long) linker.downcallHandle(lookup.findOrThrow("burrow_sha1_context_size"),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
                    cause = BundledLibrary.selfTestFailure(lookup, "burrow_sha1_selftest", LIBRARY_NAME);
                }
            } catch (Throwable e) {
                cause = BundledLibrary.whyNotLoaded(LIBRARY_NAME, e, tried);
            }
            CAUSE = cause;
            ISA = isa;
            CONTEXT_SIZE = size;
            INIT = cause == null ? init : null;
            UPDATE = cause == null ? update : null;
            FINAL = cause == null ? fin : null;
        }
    }
}
