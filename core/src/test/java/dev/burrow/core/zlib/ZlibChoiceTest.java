package dev.burrow.core.zlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Which zlib {@link Zlib} picks and what it says; each case in a fresh JVM, as the choice is made once. */
class ZlibChoiceTest {
    /** Prints the compressor and decompressor classes, then the description. */
    public static final class PrintChoice {
        public static void main(String[] args) {
            try (Compressor c = Zlib.compressor(1); Decompressor d = Zlib.decompressor()) {
                System.out.println(c.getClass().getSimpleName() + " " + d.getClass().getSimpleName());
            }
            System.out.println(Zlib.description());
        }
    }

    private static List<String> choice(String... jvmOptions) {
        return ChildJvm.printedLines(List.of(jvmOptions), PrintChoice.class);
    }

    @Test
    void systemLibdeflateIsChosenWhereInstalled() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor", "libdeflate (libdeflate.so.0)"),
                choice("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void anExplicitLibraryPathIsUsedAndNamed() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor",
                        "libdeflate (" + ZlibTest.SYSTEM_LIBDEFLATE + ")"),
                choice("--enable-native-access=ALL-UNNAMED",
                        "-D" + Libdeflate.LIBRARY_PROPERTY + "=" + ZlibTest.SYSTEM_LIBDEFLATE));
    }

    @Test
    void propertyForcesTheJdkZlib() {
        assertEquals(List.of("JdkCompressor JdkDecompressor", "jdk (forced by -Dburrow.zlib=jdk)"),
                choice("--enable-native-access=ALL-UNNAMED", "-Dburrow.zlib=jdk"));
    }

    @Test
    void aLibraryThatDoesNotLoadFallsBackToTheJdkWithItsReason() {
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Libdeflate.LIBRARY_PROPERTY + "=/nonexistent/libdeflate.so.0");
        assertEquals("JdkCompressor JdkDecompressor", lines.get(0));
        assertTrue(lines.get(1).startsWith("jdk (/nonexistent/libdeflate.so.0 did not load (")
                && lines.size() == 2, lines::toString);
    }

    @Test
    void aLibraryWithoutTheFunctionsFallsBackToTheJdk() {
        // libc loads but has no libdeflate symbols: the lookup of the first one fails.
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        Assumptions.assumeTrue(Files.exists(libc), "no glibc at " + libc);
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Libdeflate.LIBRARY_PROPERTY + "=" + libc);
        assertEquals("JdkCompressor JdkDecompressor", lines.get(0));
        assertTrue(lines.get(1).startsWith("jdk (" + libc + " did not load (")
                && lines.get(1).contains("libdeflate_alloc_compressor"), lines::toString);
    }

    @Test
    void deniedNativeAccessFallsBackToTheJdk() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        assertEquals(List.of("JdkCompressor JdkDecompressor",
                        "jdk (native access denied (run java with --enable-native-access=ALL-UNNAMED))"),
                choice("--illegal-native-access=deny"));
    }
}
