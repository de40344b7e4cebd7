package dev.burrow.core.testing;

import dev.burrow.core.ffi.BundledLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where the native module builds its libraries; tests of the native code are skipped elsewhere. */
public final class NativeBuild {
    private NativeBuild() { }

    /**
     * Where the build compiles the libraries (the native module's profile: Linux on x86-64 with /usr/bin/gcc), they
     * must load; elsewhere the calling test is skipped and the Java implementations are used.
     */
    public static void assumeBuilt() {
        boolean built = BundledLibrary.platform().equals("linux-x86_64") && Files.isExecutable(Path.of("/usr/bin/gcc"));
        Assumptions.assumeTrue(built, "the native library is not built on " + BundledLibrary.platform());
    }
}
