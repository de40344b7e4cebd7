package dev.burrow.core.hash;

/**
 * A reusable SHA-1 computation, for the save's hot paths (blob ids of chunks, pack trailers): no allocation per
 * call. Not thread safe; each thread keeps its own. {@link Sha1Hashers#create()} picks the implementation.
 */
public sealed interface Sha1Hasher permits NativeSha1, JdkSha1 {
    /** The length of a digest. */
    int LENGTH = 20;

    /** Hashes {@code data[off, off+len)}. */
    void update(byte[] data, int off, int len);

    /** Forgets everything hashed since the last digest. */
    void reset();

    /** Writes the digest of everything hashed since the last digest to {@code out[off, off+20)} and starts over. */
    void digest(byte[] out, int off);
}
