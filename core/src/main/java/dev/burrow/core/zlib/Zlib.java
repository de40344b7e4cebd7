package dev.burrow.core.zlib;

import java.util.zip.Adler32;

/**
 * Picks the zlib implementation: libdeflate when the system has it and it passes its self-check, else the JDK's
 * zlib; for level 1 (bup's default, the level nearly every save uses), ISA-L's igzip when it is installed and passes
 * its self-check, since it compresses about twice as fast. The system property {@code burrow.zlib} forces a choice:
 * {@code jdk} (the JDK's zlib for everything) or {@code libdeflate} (no ISA-L). All write standard zlib streams, so
 * git and bup read any of them; their compressed bytes differ.
 */
public final class Zlib {
    /** Set to {@code jdk} to force the JDK's zlib, to {@code libdeflate} to leave ISA-L out. */
    public static final String PROPERTY = "burrow.zlib";

    private static final Choice CHOICE = choose();

    private record Choice(boolean libdeflate, boolean isal, String description) { }

    private Zlib() { }

    /**
     * A compressor for Burrow level {@code level} (0–9); the caller closes it. Level 0 (stored blocks) is always the
     * JDK's: libdeflate has no level 0 before 1.16, and a stored stream is a copy either way.
     */
    public static Compressor compressor(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + level);
        }
        if (level == 1 && CHOICE.isal()) {
            return new IsalCompressor();
        }
        return CHOICE.libdeflate() && level > 0 ? new LibdeflateCompressor(level) : new JdkCompressor(level);
    }

    /** A decompressor; the caller closes it. */
    public static Decompressor decompressor() {
        return CHOICE.libdeflate() ? new LibdeflateDecompressor() : new JdkDecompressor();
    }

    /**
     * The Adler-32 of {@code data[off, off+len)} (a zlib stream's trailer): libdeflate's where it is used, else
     * {@code scratch}'s, which is reset first. libdeflate's is vectorised; the JDK's is so only in C2-compiled code.
     */
    public static int adler32(byte[] data, int off, int len, Adler32 scratch) {
        if (CHOICE.libdeflate()) {
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

    /** The JDK's decompressor whatever is chosen, for comparisons. */
    public static Decompressor jdkDecompressor() {
        return new JdkDecompressor();
    }

    /** True when {@link #compressor} and {@link #decompressor} use libdeflate. */
    public static boolean usesLibdeflate() {
        return CHOICE.libdeflate();
    }

    /**
     * Which implementation is in use and why, for {@code burrow --version}: for example
     * {@code libdeflate (libdeflate.so.0)} or {@code jdk (forced by -Dburrow.zlib=jdk)}.
     */
    public static String description() {
        return CHOICE.description();
    }

    /** True when {@link #compressor} uses ISA-L for level 1. */
    public static boolean usesIsal() {
        return CHOICE.isal();
    }

    private static Choice choose() {
        String forced = System.getProperty(PROPERTY);
        if ("jdk".equals(forced)) {
            return new Choice(false, false, "jdk (forced by -D" + PROPERTY + "=jdk)");
        }
        String cause = Libdeflate.unavailabilityCause();
        String explicit = System.getProperty(Libdeflate.LIBRARY_PROPERTY);
        String base = cause != null ? "jdk (" + cause + ")" : "libdeflate (" + (explicit != null
                && !explicit.isEmpty() ? explicit : Libdeflate.LIBRARY_NAME) + ")";
        if ("libdeflate".equals(forced)) {
            return new Choice(cause == null, false, base + "; level 1 without ISA-L (forced by -D" + PROPERTY
                    + "=libdeflate)");
        }
        String isalCause = Isal.unavailabilityCause();
        if (isalCause != null) {
            return new Choice(cause == null, false, base + "; level 1 without ISA-L (" + isalCause + ")");
        }
        return new Choice(cause == null, true, base + "; level 1: ISA-L igzip (" + Isal.SYSTEM_LIBRARY + ")");
    }
}
