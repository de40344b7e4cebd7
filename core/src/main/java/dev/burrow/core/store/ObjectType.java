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

    /** {@code "blob "} etc.: the start of the header hashed into an object id. */
    byte[] headerPrefix() {
        return headerPrefix;
    }
}
