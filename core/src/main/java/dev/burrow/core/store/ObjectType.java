package dev.burrow.core.store;

import java.nio.charset.StandardCharsets;

/** The git object types bup writes. Their codes are those of the pack format. */
public enum ObjectType {
    COMMIT(1, "commit"),
    TREE(2, "tree"),
    BLOB(3, "blob");

    private final int packCode;
    private final String gitName;
    private final byte[] headerPrefix;

    ObjectType(int packCode, String gitName) {
        this.packCode = packCode;
        this.gitName = gitName;
        this.headerPrefix = (gitName + " ").getBytes(StandardCharsets.US_ASCII);
    }

    /** The type number in a pack object header. */
    public int packCode() {
        return packCode;
    }

    /** The name in a loose object header, e.g. {@code blob}. */
    public String gitName() {
        return gitName;
    }

    /**
     * Writes the header hashed into an object id, e.g. {@code "blob 8192\0"}, to the start of {@code out} (room for
     * 20 bytes suffices) and returns its length. Without a String: this runs once per chunk.
     */
    public int header(int length, byte[] out) {
        System.arraycopy(headerPrefix, 0, out, 0, headerPrefix.length);
        int h = headerPrefix.length;
        int digits = length == 0 ? 1 : (int) Math.log10(length) + 1;
        for (int i = h + digits - 1, v = length; i >= h; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        h += digits;
        out[h++] = 0;
        return h;
    }
}
