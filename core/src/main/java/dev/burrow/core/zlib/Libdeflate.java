package dev.burrow.core.zlib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;

/**
 * The system's libdeflate ({@code libdeflate.so.0}, Debian {@code libdeflate0}), bound through the FFM API. No
 * headers are needed: the few functions used have had the same C signatures since libdeflate 1.0 (the {@code _ex}
 * decompressor since 1.2). The library is loaded once, on first use, from the path in the system property
 * {@value #LIBRARY_PROPERTY} if set, else through the dynamic loader's search path; it is then checked against the
 * JDK's zlib in both directions and not used if that fails.
 */
final class Libdeflate {
    /** A path to a {@code libdeflate.so} to load instead of the system's. */
    static final String LIBRARY_PROPERTY = "burrow.zlib.library";
    static final String LIBRARY_NAME = "libdeflate.so.0";

    /** {@code enum libdeflate_result}. */
    static final int SUCCESS = 0;
    static final int BAD_DATA = 1;
    static final int SHORT_OUTPUT = 2;
    static final int INSUFFICIENT_SPACE = 3;

    private Libdeflate() { }

    /** Null when the library is loaded and checked; else why not. */
    static String unavailabilityCause() {
        return Handles.CAUSE;
    }

    /**
     * Loads the library on first use. The handles are null when it did not load; CAUSE then says why. Callers use
     * the handles only once {@link Zlib} has seen CAUSE null (or, in the self-check, before it is set).
     */
    static final class Handles {
        static final String CAUSE;
        static final MethodHandle ALLOC_COMPRESSOR;
        static final MethodHandle COMPRESS;
        static final MethodHandle COMPRESS_BOUND;
        static final MethodHandle FREE_COMPRESSOR;
        static final MethodHandle ALLOC_DECOMPRESSOR;
        static final MethodHandle DECOMPRESS;
        /**
         * The same function with the input and output pointers passed as plain 64-bit integers (the same registers
         * in the x86-64 and AArch64 C ABIs), for direct buffers whose addresses are known: no segment to wrap, so
         * no allocation even where the JIT cannot scalar-replace one (restore runs on C1 alone).
         */
        static final MethodHandle DECOMPRESS_RAW;
        static final MethodHandle FREE_DECOMPRESSOR;
        /** {@code libdeflate_adler32}: vectorised (AVX2, AVX-512 VNNI), unlike the JDK's outside C2 code. */
        static final MethodHandle ADLER32;

        static {
            String cause = null;
            MethodHandle[] h = new MethodHandle[9];
            String explicit = System.getProperty(LIBRARY_PROPERTY);
            String from = explicit != null && !explicit.isEmpty() ? explicit : LIBRARY_NAME;
            try {
                SymbolLookup lookup = explicit != null && !explicit.isEmpty()
                        ? SymbolLookup.libraryLookup(Path.of(explicit), Arena.global())
                        : SymbolLookup.libraryLookup(LIBRARY_NAME, Arena.global());
                Linker linker = Linker.nativeLinker();
                // critical: (de)compressing a pack object is short and never calls back, so it may take heap
                // arrays without copying. Allocation and freeing call malloc and stay ordinary downcalls.
                Linker.Option critical = Linker.Option.critical(true);
                ValueLayout size = ValueLayout.JAVA_LONG;
                ValueLayout ptr = ValueLayout.ADDRESS;
                h[0] = linker.downcallHandle(lookup.findOrThrow("libdeflate_alloc_compressor"),
                        FunctionDescriptor.of(ptr, ValueLayout.JAVA_INT));
                h[1] = linker.downcallHandle(lookup.findOrThrow("libdeflate_zlib_compress"),
                        FunctionDescriptor.of(size, ptr, ptr, size, ptr, size), critical);
                h[2] = linker.downcallHandle(lookup.findOrThrow("libdeflate_zlib_compress_bound"),
                        FunctionDescriptor.of(size, ptr, size), critical);
                h[3] = linker.downcallHandle(lookup.findOrThrow("libdeflate_free_compressor"),
                        FunctionDescriptor.ofVoid(ptr));
                h[4] = linker.downcallHandle(lookup.findOrThrow("libdeflate_alloc_decompressor"),
                        FunctionDescriptor.of(ptr));
                h[5] = linker.downcallHandle(lookup.findOrThrow("libdeflate_zlib_decompress_ex"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ptr, ptr, size, ptr, size, ptr, ptr), critical);
                h[6] = linker.downcallHandle(lookup.findOrThrow("libdeflate_free_decompressor"),
                        FunctionDescriptor.ofVoid(ptr));
                h[7] = linker.downcallHandle(lookup.findOrThrow("libdeflate_zlib_decompress_ex"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ptr, size, size, size, size, ptr, ptr), critical);
                h[8] = linker.downcallHandle(lookup.findOrThrow("libdeflate_adler32"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ptr, size), critical);
            } catch (IllegalCallerException e) {
                cause = "native access denied (run java with --enable-native-access=ALL-UNNAMED)";
            } catch (Throwable e) {
                cause = from + " did not load (" + e + ")";
            }
            ALLOC_COMPRESSOR = h[0];
            COMPRESS = h[1];
            COMPRESS_BOUND = h[2];
            FREE_COMPRESSOR = h[3];
            ALLOC_DECOMPRESSOR = h[4];
            DECOMPRESS = h[5];
            FREE_DECOMPRESSOR = h[6];
            DECOMPRESS_RAW = h[7];
            ADLER32 = h[8];
            if (cause == null) {
                cause = selfCheck(from);
            }
            CAUSE = cause;
        }
    }

    /** The Adler-32 of {@code data[off, off+len)}. */
    static int adler32(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        try {
            return (int) Handles.ADLER32.invokeExact(1, MemorySegment.ofArray(data).asSlice(off, len), (long) len);
        } catch (Throwable e) {
            throw new IllegalStateException("libdeflate_adler32 failed", e);
        }
    }

    /**
     * Round trips a sample through libdeflate and the JDK's zlib in both directions; returns null if all agree,
     * else what went wrong. Runs once, when the handles are bound (they are usable here, CAUSE is not yet set).
     */
    private static String selfCheck(String from) {
        byte[] sample = SelfCheck.sample("libdeflate");
        try (LibdeflateCompressor c = new LibdeflateCompressor(1); LibdeflateDecompressor d =
                new LibdeflateDecompressor()) {
            String wrong = SelfCheck.compressesForJdk(c, sample);
            if (wrong != null) {
                return from + " failed its self-check (" + wrong + ")";
            }
            Deflater deflater = new Deflater(6);
            byte[] jz = new byte[sample.length + 64];
            int jn;
            try {
                deflater.setInput(sample);
                deflater.finish();
                jn = deflater.deflate(jz);
            } finally {
                deflater.end();
            }
            byte[] back = new byte[sample.length];
            byte[] padded = Arrays.copyOf(jz, jn + 7);   // trailing bytes must be left unread
            if (d.decompress(padded, 0, padded.length, back, 0, sample.length) != jn
                    || !Arrays.equals(back, sample)) {
                return from + " failed its self-check (it did not read java.util.zip's output back)";
            }
            wrong = SelfCheck.adlerAgrees(Libdeflate::adler32, sample);
            return wrong == null ? null : from + " failed its self-check (" + wrong + ")";
        } catch (DataFormatException | RuntimeException e) {
            return from + " failed its self-check (" + e + ")";
        }
    }
}
