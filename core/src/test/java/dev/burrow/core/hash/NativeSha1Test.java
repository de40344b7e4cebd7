package dev.burrow.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.burrow.core.testing.NativeBuild;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The native SHA-1, on each of its code paths this CPU runs, against the JDK's MessageDigest. */
class NativeSha1Test {
    @BeforeAll
    static void requireLibrary() {
        NativeBuild.assumeBuilt();
        assertNull(NativeSha1.unavailabilityCause());
    }

    /** A hasher for every path the library has that this CPU runs: scalar C, SHA-NI. */
    private static List<Sha1Hasher> paths() {
        List<Sha1Hasher> paths = new ArrayList<>();
        for (int isa = NativeSha1.ISA_SCALAR; isa <= NativeSha1.bestIsa(); isa++) {
            paths.add(new NativeSha1(isa));
        }
        return paths;
    }

    private static byte[] digest(Sha1Hasher h) {
        byte[] out = new byte[Sha1Hasher.LENGTH];
        h.digest(out, 0);
        return out;
    }

    @Test
    void knownDigests() {
        for (Sha1Hasher h : paths()) {
            byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
            h.update(abc, 0, 3);
            assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HexFormat.of().formatHex(digest(h)));
            assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HexFormat.of().formatHex(digest(h)));
            // git's id of the empty blob: the header and the data hashed in separate calls, as the save does.
            byte[] header = "blob 0\0".getBytes(StandardCharsets.US_ASCII);
            h.update(header, 0, header.length);
            h.update(new byte[0], 0, 0);
            assertEquals("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", HexFormat.of().formatHex(digest(h)));
        }
    }

    @Test
    void everyLengthAndSplitAgreesWithTheJdk() throws Exception {
        byte[] data = new byte[1 << 16];
        new Random(42).nextBytes(data);
        MessageDigest jdk = MessageDigest.getInstance("SHA-1");
        Random r = new Random(7);
        for (Sha1Hasher h : paths()) {
            for (int len = 0; len < 300; len++) {
                int off = r.nextInt(100);
                jdk.update(data, off, len);
                byte[] expected = jdk.digest();
                int cut = len == 0 ? 0 : r.nextInt(len + 1);
                h.update(data, off, cut);
                h.update(data, off + cut, len - cut);
                assertArrayEquals(expected, digest(h), "length " + len + " cut at " + cut);
            }
            // Long inputs in uneven pieces, across the whole array, from two arrays alternately.
            byte[] other = data.clone();
            int pos = 0;
            while (pos < data.length) {
                int n = Math.min(data.length - pos, r.nextInt(5000));
                h.update((pos & 1) == 0 ? data : other, pos, n);
                pos += n;
            }
            assertArrayEquals(jdk.digest(data), digest(h));
        }
    }

    @Test
    void resetForgetsWhatWasHashed() {
        for (Sha1Hasher h : paths()) {
            byte[] junk = new byte[1000];
            h.update(junk, 0, junk.length);
            h.reset();
            assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HexFormat.of().formatHex(digest(h)));
        }
    }

    @Test
    void rangesAreCheckedBeforeTheNativeCall() {
        Sha1Hasher h = new NativeSha1();
        byte[] data = new byte[10];
        assertThrows(IndexOutOfBoundsException.class, () -> h.update(data, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> h.update(data, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> h.digest(new byte[25], 6));
    }
}
