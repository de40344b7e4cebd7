package dev.burrow.core.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A git object id: the 20-byte SHA-1 of an object's header and content.
 *
 * <p>Immutable and thread safe. Held as five ints rather than an array so that equality and hashing
 * are cheap and the value can be used as a map key.
 */
public final class ObjectId implements Comparable<ObjectId> {
    /** Length of a binary object id in bytes. */
    public static final int LENGTH = 20;

    private static final HexFormat HEX = HexFormat.of();
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The empty blob, {@code e69de29b…}: empty files, fifos, sockets and devices in bup trees. */
    public static final ObjectId EMPTY_BLOB = fromHex("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    /** The empty tree, {@code 4b825dc6…}. */
    public static final ObjectId EMPTY_TREE = fromHex("4b825dc642cb6eb9a060e54bf8d69288fbee4904");

    private final int w0;
    private final int w1;
    private final int w2;
    private final int w3;
    private final int w4;

    private ObjectId(int w0, int w1, int w2, int w3, int w4) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
        this.w4 = w4;
    }

    /** Reads 20 bytes at {@code offset}. */
    public static ObjectId fromBytes(byte[] raw, int offset) {
        if (offset < 0 || raw.length - offset < LENGTH) {
            throw new IllegalArgumentException("need 20 bytes at offset " + offset + " of " + raw.length);
        }
        return new ObjectId(word(raw, offset), word(raw, offset + 4), word(raw, offset + 8),
                word(raw, offset + 12), word(raw, offset + 16));
    }

    /** Parses 40 hex digits, either case. */
    public static ObjectId fromHex(CharSequence hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("not a 40-digit object id: " + hex);
        }
        try {
            return fromBytes(HEX.parseHex(hex), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a 40-digit object id: " + hex, e);
        }
    }

    /** True when {@code s} is 40 hex digits. */
    public static boolean isHex(CharSequence s) {
        if (s.length() != 2 * LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int word(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    private static void putWord(byte[] b, int o, int w) {
        b[o] = (byte) (w >>> 24);
        b[o + 1] = (byte) (w >>> 16);
        b[o + 2] = (byte) (w >>> 8);
        b[o + 3] = (byte) w;
    }

    /** Writes the 20 raw bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        putWord(dst, offset, w0);
        putWord(dst, offset + 4, w1);
        putWord(dst, offset + 8, w2);
        putWord(dst, offset + 12, w3);
        putWord(dst, offset + 16, w4);
    }

    /** A fresh copy of the 20 raw bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        copyTo(b, 0);
        return b;
    }

    /** The first byte, as used by idx fanout tables. */
    public int firstByte() {
        return w0 >>> 24;
    }

    /** True when the 20 bytes at {@code offset} equal this id. */
    public boolean equalsBytes(byte[] raw, int offset) {
        return word(raw, offset) == w0 && word(raw, offset + 4) == w1 && word(raw, offset + 8) == w2
                && word(raw, offset + 12) == w3 && word(raw, offset + 16) == w4;
    }

    /**
     * Unsigned comparison of the id stored at {@code map[at..at+20)} (raw bytes, as in idx files) with
     * this one: negative when the mapped id sorts first. Allocates nothing, for lookups per chunk.
     */
    int compareMapped(MemorySegment map, long at) {
        int c = Integer.compareUnsigned(map.get(BE_INT, at), w0);
        if (c == 0) c = Integer.compareUnsigned(map.get(BE_INT, at + 4), w1);
        if (c == 0) c = Integer.compareUnsigned(map.get(BE_INT, at + 8), w2);
        if (c == 0) c = Integer.compareUnsigned(map.get(BE_INT, at + 12), w3);
        if (c == 0) c = Integer.compareUnsigned(map.get(BE_INT, at + 16), w4);
        return c;
    }

    public String name() {
        return HEX.formatHex(toBytes());
    }

    /** The first {@code n} hex digits, for messages. */
    public String abbreviate(int n) {
        return name().substring(0, Math.min(n, 2 * LENGTH));
    }

    @Override
    public int compareTo(ObjectId o) {
        int c = Integer.compareUnsigned(w0, o.w0);
        if (c == 0) c = Integer.compareUnsigned(w1, o.w1);
        if (c == 0) c = Integer.compareUnsigned(w2, o.w2);
        if (c == 0) c = Integer.compareUnsigned(w3, o.w3);
        if (c == 0) c = Integer.compareUnsigned(w4, o.w4);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectId id && id.w0 == w0 && id.w1 == w1 && id.w2 == w2 && id.w3 == w3 && id.w4 == w4;
    }

    @Override
    public int hashCode() {
        // SHA-1 bits are uniform, so one word is as good a hash as any mix of them.
        return w1;
    }

    @Override
    public String toString() {
        return name();
    }

    static byte[] copyOf(byte[] raw, int offset) {
        return Arrays.copyOfRange(raw, offset, offset + LENGTH);
    }
}
