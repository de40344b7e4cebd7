package dev.burrow.core.meta;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * bup's variable-length integers ({@code lib/bup/vint.py}).
 *
 * <ul>
 *   <li>{@code vuint}: little-endian base 128; bit 0x80 means "more bytes follow".
 *   <li>{@code vint}: the first byte is {@code [more:1][sign:1][6 low bits of |x|]}; if {@code more} is
 *       set, {@code |x| >> 6} follows as a vuint.
 *   <li>{@code bvec}: a vuint length, then that many raw bytes.
 * </ul>
 *
 * <p>Values are Java {@code long}s: a vuint must fit in 63 bits and a vint's magnitude too, which
 * covers every field bup writes (ids, modes, devices, seconds, nanoseconds). Readers throw
 * {@link EOFException} when the input ends inside a value and {@link CorruptMetadataException} when a
 * value does not fit. Stateless and thread safe.
 */
public final class Vint {
    private Vint() {
    }

    /** Appends {@code value} as a vuint; it must not be negative. */
    public static void writeVuint(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("vuint must not be negative: " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.write((int) (0x80 | (value & 0x7F)));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Appends {@code value} as a signed vint. {@link Long#MIN_VALUE} has no encoding and is rejected. */
    public static void writeVint(ByteArrayOutputStream out, long value) {
        if (value == Long.MIN_VALUE) {
            throw new IllegalArgumentException("vint out of range: " + value);
        }
        long magnitude = Math.abs(value);
        int first = (int) (magnitude & 0x3F);
        if (value < 0) {
            first |= 0x40;
        }
        magnitude >>>= 6;
        if (magnitude == 0) {
            out.write(first);
        } else {
            out.write(first | 0x80);
            writeVuint(out, magnitude);
        }
    }

    /** Appends {@code bytes} as a bvec (vuint length, then the bytes). */
    public static void writeBvec(ByteArrayOutputStream out, byte[] bytes) {
        writeVuint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    /** {@code value} encoded as a vuint. */
    public static byte[] encodeVuint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        writeVuint(out, value);
        return out.toByteArray();
    }

    /** {@code value} encoded as a vint. */
    public static byte[] encodeVint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        writeVint(out, value);
        return out.toByteArray();
    }

    /** Reads one vuint. */
    public static long readVuint(InputStream in) throws IOException {
        return continueVuint(in, readByte(in));
    }

    /** Reads the rest of a vuint whose first byte, {@code first}, the caller has already read. */
    static long continueVuint(InputStream in, int first) throws IOException {
        long result = first & 0x7F;
        int shift = 7;
        int b = first;
        while ((b & 0x80) != 0) {
            b = readByte(in);
            long bits = b & 0x7F;
            // Nine groups (bits 0..62) fill a non-negative long; a tenth group may only be zero padding.
            if (shift >= 63 && (bits != 0 || shift > 63)) {
                throw new CorruptMetadataException("vuint does not fit in 63 bits");
            }
            result |= bits << shift;
            shift += 7;
        }
        return result;
    }

    /** Reads one signed vint. */
    public static long readVint(InputStream in) throws IOException {
        int first = readByte(in);
        long magnitude = first & 0x3F;
        if ((first & 0x80) != 0) {
            long rest = readVuint(in);
            if (rest > (Long.MAX_VALUE >>> 6)) {
                throw new CorruptMetadataException("vint does not fit in 64 bits");
            }
            magnitude |= rest << 6;
        }
        return (first & 0x40) != 0 ? -magnitude : magnitude;
    }

    /** Reads one bvec and returns its bytes. */
    public static byte[] readBvec(InputStream in) throws IOException {
        long length = readVuint(in);
        if (length > Integer.MAX_VALUE - 8) {
            throw new CorruptMetadataException("bvec length too large: " + length);
        }
        // readNBytes grows its buffer as data arrives, so a corrupt length cannot force a huge allocation.
        byte[] bytes = Objects.requireNonNull(in).readNBytes((int) length);
        if (bytes.length != length) {
            throw new EOFException("bvec of " + length + " bytes ends after " + bytes.length);
        }
        return bytes;
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("input ends inside a variable-length integer");
        }
        return b;
    }
}
