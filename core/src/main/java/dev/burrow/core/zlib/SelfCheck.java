package dev.burrow.core.zlib;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The checks against {@code java.util.zip} that a native zlib ({@link Libdeflate}, {@link Isal}) passes once per
 * run, when it is loaded, before Burrow uses it. Each returns null when all is well, else what went wrong, for the
 * library's unavailability cause.
 */
final class SelfCheck {
    /** An Adler-32 implementation under test. */
    @FunctionalInterface
    interface Adler {
        int of(byte[] data, int off, int len);
    }

    private SelfCheck() { }

    /** A compressible sample of a few KiB that names the library checked. */
    static byte[] sample(String library) {
        return (("Burrow checks " + library + " against java.util.zip once per run. ").repeat(40)
                + "0123456789abcdef").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code c} compresses {@code sample} to a shorter stream that {@code java.util.zip} reads back as the sample. */
    static String compressesForJdk(Compressor c, byte[] sample) throws DataFormatException {
        byte[] z = new byte[c.bound(sample.length)];
        int n = c.compress(sample, 0, sample.length, z, 0, z.length);
        if (n <= 0 || n >= sample.length) {
            return "compressed " + sample.length + " bytes to " + n;
        }
        Inflater inflater = new Inflater();
        try {
            byte[] back = new byte[sample.length];
            inflater.setInput(z, 0, n);
            int m = inflater.inflate(back);
            if (m != sample.length || !inflater.finished() || !Arrays.equals(back, sample)) {
                return "java.util.zip did not read its output back";
            }
        } finally {
            inflater.end();
        }
        return null;
    }

    /** {@code adler} gives {@code java.util.zip}'s Adler-32 of the sample (from an unaligned offset). */
    static String adlerAgrees(Adler adler, byte[] sample) {
        Adler32 jdk = new Adler32();
        jdk.update(sample, 3, sample.length - 3);
        return adler.of(sample, 3, sample.length - 3) == (int) jdk.getValue() ? null
                : "its Adler-32 differs from java.util.zip's";
    }
}
