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
    /** Prints the level 6 compressor and the decompressor classes, then the level 1 compressor's, then the description. */
    public static final class PrintChoice {
        public static void main(String[] args) {
            try (Compressor c = Zlib.compressor(6); Decompressor d = Zlib.decompressor();
                    Compressor one = Zlib.compressor(1)) {
                System.out.println(c.getClass().getSimpleName() + " " + d.getClass().getSimpleName());
                System.out.println(one.getClass().getSimpleName());
            }
            System.out.println(Zlib.description());
        }
    }

    /** Where ISA-L is installed and the shim was built (libisal-dev at build time), the tests expect it chosen. */
    static boolean isalHere() {
        return Files.exists(SYSTEM_LIBISAL) && Isal.class.getResource("/native/linux-x86_64/" + Isal.LIBRARY_NAME) != null;
    }

    static final Path SYSTEM_LIBISAL = Path.of("/usr/lib/x86_64-linux-gnu/libisal.so.2");
    private static final String WITH_ISAL = "; level 1: ISA-L igzip (libisal.so.2)";

    /** What the level 1 compressor and the description's ISA-L part are here when nothing is forced. */
    private static String levelOne(String otherwise) {
        return isalHere() ? "IsalCompressor" : otherwise;
    }

    private static List<String> choice(String... jvmOptions) {
        return ChildJvm.printedLines(List.of(jvmOptions), PrintChoice.class);
    }

    @Test
    void systemLibdeflateIsChosenWhereInstalled() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor", levelOne("LibdeflateCompressor")),
                lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("libdeflate (libdeflate.so.0); level 1"), lines::toString);
    }

    @Test
    void isalCompressesLevelOneWhereInstalled() {
        Assumptions.assumeTrue(isalHere(), "no libisal2, or the native module was built without libisal-dev");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor", "IsalCompressor",
                        "libdeflate (libdeflate.so.0)" + WITH_ISAL),
                choice("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void propertyLeavesIsalOut() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor", "LibdeflateCompressor",
                        "libdeflate (libdeflate.so.0); level 1 without ISA-L (forced by -Dburrow.zlib=libdeflate)"),
                choice("--enable-native-access=ALL-UNNAMED", "-Dburrow.zlib=libdeflate"));
    }

    @Test
    void anIsalShimThatDoesNotLoadLeavesIsalOutWithItsReason() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Isal.LIBRARY_PROPERTY + "=/nonexistent/libburrowisal.so");
        assertEquals(List.of("LibdeflateCompressor LibdeflateDecompressor", "LibdeflateCompressor"),
                lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("libdeflate (libdeflate.so.0); level 1 without ISA-L "
                + "(libburrowisal.so did not load (") && lines.size() == 3, lines::toString);
    }

    @Test
    void anExplicitLibraryPathIsUsedAndNamed() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Libdeflate.LIBRARY_PROPERTY + "=" + ZlibTest.SYSTEM_LIBDEFLATE);
        assertEquals("LibdeflateCompressor LibdeflateDecompressor", lines.get(0));
        assertTrue(lines.get(2).startsWith("libdeflate (" + ZlibTest.SYSTEM_LIBDEFLATE + "); level 1"),
                lines::toString);
    }

    @Test
    void propertyForcesTheJdkZlib() {
        assertEquals(List.of("JdkCompressor JdkDecompressor", "JdkCompressor", "jdk (forced by -Dburrow.zlib=jdk)"),
                choice("--enable-native-access=ALL-UNNAMED", "-Dburrow.zlib=jdk"));
    }

    @Test
    void aLibraryThatDoesNotLoadFallsBackToTheJdkWithItsReason() {
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Libdeflate.LIBRARY_PROPERTY + "=/nonexistent/libdeflate.so.0");
        assertEquals(List.of("JdkCompressor JdkDecompressor", levelOne("JdkCompressor")), lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("jdk (/nonexistent/libdeflate.so.0 did not load (")
                && lines.size() == 3, lines::toString);
    }

    @Test
    void aLibraryWithoutTheFunctionsFallsBackToTheJdk() {
        // libc loads but has no libdeflate symbols: the lookup of the first one fails.
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        Assumptions.assumeTrue(Files.exists(libc), "no glibc at " + libc);
        List<String> lines = choice("--enable-native-access=ALL-UNNAMED",
                "-D" + Libdeflate.LIBRARY_PROPERTY + "=" + libc);
        assertEquals("JdkCompressor JdkDecompressor", lines.get(0));
        assertTrue(lines.get(2).startsWith("jdk (" + libc + " did not load (")
                && lines.get(2).contains("libdeflate_alloc_compressor"), lines::toString);
    }

    @Test
    void deniedNativeAccessFallsBackToTheJdk() {
        Assumptions.assumeTrue(Files.exists(ZlibTest.SYSTEM_LIBDEFLATE), "no libdeflate0 here");
        assertEquals(List.of("JdkCompressor JdkDecompressor", "JdkCompressor",
                        "jdk (native access denied (run java with --enable-native-access=ALL-UNNAMED)); level 1 "
                                + "without ISA-L (native access denied (run java with --enable-native-access=ALL-UNNAMED))"),
                choice("--illegal-native-access=deny"));
    }
}
