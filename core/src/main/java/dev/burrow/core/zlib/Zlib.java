package dev.burrow.core.zlib;

import java.util.zip.Adler32;

/**
 * Picks the zlib implementation: libdeflate when the system has it and it passes its self-check, else the JDK's
 * zlib; for level 1 (bup's default, the level nearly every save uses) and Adler-32, ISA-L's igzip when it is
 * installed and passes its self-check, since it compresses about twice as fast. The system property
 * {@code burrow.zlib} forces a choice: {@code jdk} (the JDK's zlib for everything) or {@code libdeflate} (no ISA-L).
 * All write standard zlib streams, so git and bup read any of them; their compressed bytes differ.
 *
 * <p>Each library is loaded and checked the first time something needs it, not before: binding and checking
 * libdeflate took 80 ms of a command's start, and a first save at level 1 never needs it.
 */
public final class Zlib {
    /** Set to {@code jdk} to force the JDK's zlib, to {@code libdeflate} to leave ISA-L out. */
    public static final String PROPERTY = "burrow.zlib";

    private Zlib() { }

    /** The forced choice, read once. */
    private static final class Forced {
        static final String VALUE = System.getProperty(PROPERTY);
        static final boolean JDK = "jdk".equals(VALUE);
        static final boolean NO_ISAL = JDK || "libdeflate".equals(VALUE);
    }

    /** Whether libdeflate is used, decided on first use. */
    private static final class UseLibdeflate {
        static final boolean YES = !Forced.JDK && Libdeflate.unavailabilityCause() == null;
    }

    /** Whether ISA-L is used, decided on first use. */
    private static final class UseIsal {
        static final boolean YES = !Forced.NO_ISAL && Isal.unavailabilityCause() == null;
    }

    /**
     * A compressor for Burrow level {@code level} (0–9); the caller closes it. Level 0 (stored blocks) is always the
     * JDK's: libdeflate has no level 0 before 1.16, and a stored stream is a copy either way.
     */
    public static Compressor compressor(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + level);
        }
        if (level == 1 && UseIsal.YES) {
            return new IsalCompressor();
        }
        return level > 0 && UseLibdeflate.YES ? new LibdeflateCompressor(level) : new JdkCompressor(level);
    }

    /** A decompressor; the caller closes it. */
    public static Decompressor decompressor() {
        return UseLibdeflate.YES ? new LibdeflateDecompressor() : new JdkDecompressor();
    }

    /**
     * The Adler-32 of {@code data[off, off+len)} (a zlib stream's trailer): ISA-L's or libdeflate's where one is used,
     * else {@code scratch}'s, which is reset first. Theirs are vectorised; the JDK's is so only in C2-compiled code.
     */
    public static int adler32(byte[] data, int off, int len, Adler32 scratch) {
        if (UseIsal.YES) {
            return Isal.adler32(data, off, len);
        }
        if (UseLibdeflate.YES) {
            return Libdeflate.adler32(data, off, len);
        }
        scratch.reset();
        scratch.update(data, off, len);
        return (int) scratch.getValue();
    }

    /** The JDK's compressor whatever is chosen, for comparisons. */
    public static Compressor jdkCompressor(int level) {
        return new JdkCompressor(level);
    }

    /** libdeflate's compressor for level 1–9 whatever is chosen, for comparisons; requires libdeflate. */
    public static Compressor libdeflateCompressor(int level) {
        if (Libdeflate.unavailabilityCause() != null) {
            throw new IllegalStateException("libdeflate unavailable: " + Libdeflate.unavailabilityCause());
        }
        return new LibdeflateCompressor(level);
    }

    /** ISA-L's level 1 compressor whatever is chosen, for comparisons; requires ISA-L. */
    public static Compressor isalCompressor() {
        return new IsalCompressor();
    }

    /** The JDK's decompressor whatever is chosen, for comparisons. */
    public static Decompressor jdkDecompressor() {
        return new JdkDecompressor();
    }

    /** True when {@link #decompressor} and {@link #compressor} (levels 1–9, 2–9 with ISA-L) use libdeflate. */
    public static boolean usesLibdeflate() {
        return UseLibdeflate.YES;
    }

    /** True when {@link #compressor} uses ISA-L for level 1; loads and checks ISA-L if not yet done. */
    public static boolean usesIsal() {
        return UseIsal.YES;
    }

    /**
     * Which implementations are in use and why, for {@code burrow --version}: for example
     * {@code libdeflate (libdeflate.so.0); level 1: ISA-L igzip (libisal.so.2)} or
     * {@code jdk (forced by -Dburrow.zlib=jdk)}. Loads and checks both libraries.
     */
    public static String description() {
        if (Forced.JDK) {
            return "jdk (forced by -D" + PROPERTY + "=jdk)";
        }
        String cause = Libdeflate.unavailabilityCause();
        String explicit = System.getProperty(Libdeflate.LIBRARY_PROPERTY);
        String base = cause != null ? "jdk (" + cause + ")" : "libdeflate (" + (explicit != null
                && !explicit.isEmpty() ? explicit : Libdeflate.LIBRARY_NAME) + ")";
        if (Forced.NO_ISAL) {
            return base + "; level 1 without ISA-L (forced by -D" + PROPERTY + "=" + Forced.VALUE + ")";
        }
        String isalCause = Isal.unavailabilityCause();
        return isalCause != null ? base + "; level 1 without ISA-L (" + isalCause + ")"
                : base + "; level 1: ISA-L igzip (" + Isal.SYSTEM_LIBRARY + ")";
    }
}
