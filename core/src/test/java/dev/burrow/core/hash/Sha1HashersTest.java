package dev.burrow.core.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.NativeBuild;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which SHA-1 {@link Sha1Hashers} picks and what it says; each case in a fresh JVM, as the choice is made once. */
class Sha1HashersTest {
    /** Prints the implementation's class, the description, then the id of git's empty blob as computed. */
    public static final class PrintChoice {
        public static void main(String[] args) {
            Sha1Hasher h = Sha1Hashers.create();
            byte[] header = "blob 0\0".getBytes(StandardCharsets.US_ASCII);
            h.update(header, 0, header.length);
            byte[] id = new byte[Sha1Hasher.LENGTH];
            h.digest(id, 0);
            System.out.println(h.getClass().getSimpleName());
            System.out.println(Sha1Hashers.description());
            System.out.println(HexFormat.of().formatHex(id));
        }
    }

    private static final String EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

    private static List<String> choice(String... jvmOptions) {
        return ChildJvm.printedLines(List.of(jvmOptions), PrintChoice.class);
    }

    @Test
    void nativeIsChosenWhereItIsBuilt() {
        NativeBuild.assumeBuilt();
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED");
        assertEquals(3, lines.size(), lines::toString);
        assertEquals("NativeSha1", lines.get(0));
        assertTrue(lines.get(1).matches("native \\((SHA-NI|scalar), libburrowsha1\\.so\\)"), lines::toString);
        assertEquals(EMPTY_BLOB, lines.get(2));
    }

    @Test
    void propertyForcesTheJdk() {
        assertEquals(List.of("JdkSha1", "jdk (forced by -Dburrow.sha1=jdk)", EMPTY_BLOB),
                choice("--enable-native-access=ALL-UNNAMED", "-Dburrow.sha1=jdk"));
    }

    @Test
    void aLibraryThatDoesNotLoadFallsBackToTheJdk() {
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + NativeSha1.LIBRARY_PROPERTY + "=/nonexistent/libburrowsha1.so");
        assertEquals(List.of("JdkSha1", EMPTY_BLOB), List.of(lines.get(0), lines.get(2)));
        assertTrue(lines.get(1).startsWith("jdk (libburrowsha1.so did not load (")
                && lines.get(1).contains("tried /nonexistent/libburrowsha1.so"), lines::toString);
    }

    @Test
    void deniedNativeAccessFallsBackToTheJdk() {
        NativeBuild.assumeBuilt();
        assertEquals(List.of("JdkSha1", "jdk (native access denied (run java with --enable-native-access=ALL-UNNAMED))",
                EMPTY_BLOB), choice("--illegal-native-access=deny"));
    }
}
