package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.NativeBuild;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which chunker {@link Chunkers} picks and what it says; each case in a fresh JVM, as the choice is made once. */
class ChunkersTest {
    /** Prints the choice: the chunker's name, then the description. */
    public static final class PrintChoice {
        public static void main(String[] args) {
            System.out.println(Chunkers.best().name());
            System.out.println(Chunkers.description());
        }
    }

    private static List<String> choice(String... jvmOptions) {
        return ChildJvm.printedLines(List.of(jvmOptions), PrintChoice.class);
    }

    @Test
    void nativeChunkerIsChosenWhereItIsBuilt() {
        NativeBuild.assumeBuilt();
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED");
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).matches("native-(avx512|avx2|scalar)"), lines::toString);
        assertTrue(lines.get(1).matches("native \\((AVX-512|AVX2|scalar), libburrowchunk\\.so\\)"), lines::toString);
    }

    @Test
    void propertyForcesTheJavaChunker() {
        assertEquals(List.of("java", "java (forced by -Dburrow.chunker=java)"),
                choice("--enable-native-access=ALL-UNNAMED", "-Dburrow.chunker=java"));
    }

    @Test
    void otherPlatformsUseTheJavaChunkerAndSaySo() {
        assertEquals(List.of("java", "java (native library not available for linux-aarch64)"),
                choice("--enable-native-access=ALL-UNNAMED", "-Dos.name=Linux", "-Dos.arch=aarch64"));
    }

    @Test
    void aLibraryThatDoesNotLoadFallsBackToJava() {
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + NativeChunker.LIBRARY_PROPERTY + "=/nonexistent/libburrowchunk.so");
        assertEquals("java", lines.get(0));
        assertTrue(lines.get(1).startsWith("java (libburrowchunk.so did not load (")
                && lines.get(1).contains("tried /nonexistent/libburrowchunk.so"), lines::toString);
    }

    @Test
    void deniedNativeAccessFallsBackToJava() {
        NativeBuild.assumeBuilt();
        assertEquals(List.of("java", "java (native access denied (run java with --enable-native-access=ALL-UNNAMED))"),
                choice("--illegal-native-access=deny"));
    }
}
