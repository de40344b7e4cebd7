package dev.burrow.core.hash;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The JDK's SHA-1: the CPU's SHA instructions in code compiled by C2, plain Java otherwise. */
final class JdkSha1 implements Sha1Hasher {
    private final MessageDigest md;

    JdkSha1() {
        try {
            md = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java runtime has SHA-1", e);
        }
    }

    @Override
    public void update(byte[] data, int off, int len) {
        md.update(data, off, len);
    }

    @Override
    public void reset() {
        md.reset();
    }

    @Override
    public void digest(byte[] out, int off) {
        try {
            md.digest(out, off, LENGTH);
        } catch (DigestException e) {
            throw new IndexOutOfBoundsException("no room for a digest at " + off + " of " + out.length);
        }
    }
}
