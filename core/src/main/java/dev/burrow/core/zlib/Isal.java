package dev.burrow.core.zlib;

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
import java.util.zip.DataFormatException;

/**
 * ISA-L's igzip compressor at level 1, through {@code libburrowisal.so} (module {@code burrow-native},
 * {@code burrow_isal.c}), which links the system's {@code libisal.so.2} (Debian {@code libisal2}). Loaded once, on
 * first use, from the path in the system property {@value #LIBRARY_PROPERTY} if set, else from the bundled
 * resource; its output is then read back with the JDK's zlib, and it is not used if that fails.
 */
final class Isal {
    /** A path to a {@code libburrowisal.so} to load instead of the bundled one. */
    static final String LIBRARY_PROPERTY = "burrow.isal.library";
    static final String LIBRARY_NAME = "libburrowisal.so";
    /** The library the shim links, named in {@code burrow --version} and in the cause when it is missing. */
    static final String SYSTEM_LIBRARY = "libisal.so.2";

    private Isal() { }

    /** Null when the library is loaded and checked; else why not. */
    static String unavailabilityCause() {
        return Handles.CAUSE;
    }

    /** Loads the library on first use. The handles are null when it is unavailable; CAUSE then says why. */
    static final class Handles {
        static final String CAUSE;
        static final long STATE_SIZE;
        static final MethodHandle COMPRESS;
        static final MethodHandle ADLER32;

        static {
            String cause = null;
            long size = 0;
            MethodHandle compress = null;
            MethodHandle adler = null;
            List<String> tried = new ArrayList<>();
            try {
                SymbolLookup lookup = BundledLibrary.lookup(LIBRARY_NAME, LIBRARY_PROPERTY, Isal.class, tried);
                if (lookup == null) {
                    cause = BundledLibrary.notBuiltHere() + " (or built without ISA-L's header, libisal-dev)";
                } else {
                    Linker linker = Linker.nativeLinker();
                    size = (long) linker.downcallHandle(lookup.findOrThrow("burrow_isal_state_size"),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
                    // critical: one short call that never calls back, so it may take heap arrays as they are.
                    compress = linker.downcallHandle(lookup.findOrThrow("burrow_isal_zlib_compress"),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                            Linker.Option.critical(true));
                    adler = linker.downcallHandle(lookup.findOrThrow("burrow_isal_adler32"),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG),
                            Linker.Option.critical(true));
                }
            } catch (Throwable e) {
                cause = String.valueOf(e).contains(SYSTEM_LIBRARY)
                        ? SYSTEM_LIBRARY + " is not installed (apt-get install libisal2)"
                        : BundledLibrary.whyNotLoaded(LIBRARY_NAME, e, tried);
            }
            STATE_SIZE = size;
            COMPRESS = compress;
            ADLER32 = adler;
            if (cause == null) {
                cause = selfCheck();
            }
            CAUSE = cause;
        }
    }

    /** The Adler-32 of {@code data[off, off+len)}. */
    static int adler32(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        try {
            return (int) Handles.ADLER32.invokeExact(MemorySegment.ofArray(data), (long) off, (long) len);
        } catch (Throwable e) {
            throw new IllegalStateException("burrow_isal_adler32 failed", e);
        }
    }

    /**
     * Compresses a sample and reads it back with the JDK's zlib; returns null if that gives the sample, else what
     * went wrong. Runs once, when the handles are bound (they are usable here, CAUSE is not yet set).
     */
    private static String selfCheck() {
        byte[] sample = SelfCheck.sample("ISA-L");
        String wrong;
        try (IsalCompressor c = new IsalCompressor()) {
            wrong = SelfCheck.compressesForJdk(c, sample);
            if (wrong == null) {
                wrong = SelfCheck.adlerAgrees(Isal::adler32, sample);
            }
        } catch (DataFormatException e) {
            wrong = "java.util.zip: " + e.getMessage();
        } catch (RuntimeException e) {
            wrong = e.toString();
        }
        return wrong == null ? null : LIBRARY_NAME + " failed its self-check (" + wrong + ")";
    }
}
