package dev.burrow.core.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

final class Sha1 {
    private Sha1() { }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java runtime has SHA-1", e);
        }
    }
}
