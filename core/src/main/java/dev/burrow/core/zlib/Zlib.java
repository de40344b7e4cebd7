package dev.burrow.core.zlib;

import java.util.zip.Adler32;

/**
 * Picks the zlib implementation: libdeflate when the system has it and it passes its self-check, else the JDK's
 * zlib; the system property {@code burrow.zlib=jdk} forces the JDK's. Both write standard zlib streams, so git and
 * bup read either; their compressed bytes differ, but each is deterministic.
 */
public final class Zlib {
    /** Set to {@code jdk} to force the JDK's zlib. */
    public static final String PROPERTY = "burrow.zlib";

    private static final Choice CHOICE = choose();

    private record Choice(boolean libdeflate, String description) { }

    private Zlib() { }

    /**
     * A compressor for Burrow level {@code level} (0–9); the caller closes it. Level 0 (stored blocks) is always the
     * JDK's: libdeflate has no level 0 before 1.16, and a stored stream is a copy either way.
     */
    public static Compressor compressor(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + level);
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

    private static Choice choose() {
        if ("jdk".equals(System.getProperty(PROPERTY))) {
            return new Choice(false, "jdk (forced by -D" + PROPERTY + "=jdk)");
        }
        String cause = Libdeflate.unavailabilityCause();
        if (cause != null) {
            return new Choice(false, "jdk (" + cause + ")");
        }
        String explicit = System.getProperty(Libdeflate.LIBRARY_PROPERTY);
        return new Choice(true, "libdeflate (" + (explicit != null && !explicit.isEmpty() ? explicit
                : Libdeflate.LIBRARY_NAME) + ")");
    }
}
