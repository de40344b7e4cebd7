package dev.burrow.core.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Finds one of the C libraries that module {@code burrow-native} ships as jar resources
 * {@code /native/<platform>/<name>}, for binding through the FFM API.
 */
public final class BundledLibrary {
    private BundledLibrary() { }

    /**
     * The library at the path in system property {@code property} if that is set, else the bundled resource, copied
     * to a temporary file that is deleted once loaded; null if there is no resource for this platform. Each place
     * tried is added to {@code tried}, for the caller's error message. The library stays loaded for the JVM's life.
     */
    public static SymbolLookup lookup(String name, String property, Class<?> resourceOwner, List<String> tried)
            throws IOException {
        String explicit = System.getProperty(property);
        if (explicit != null && !explicit.isEmpty()) {
            tried.add(explicit);
            return SymbolLookup.libraryLookup(Path.of(explicit), Arena.global());
        }
        String resource = "/native/" + platform() + "/" + name;
        tried.add("resource " + resource);
        try (InputStream in = resourceOwner.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Path tmp = Files.createTempFile(name.replace(".so", "") + "-", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                // Once mapped the library no longer needs its file (Linux), so no temporary file is left behind.
                return SymbolLookup.libraryLookup(tmp, Arena.global());
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The unavailability cause to report when this platform has no build of the library. */
    public static String notBuiltHere() {
        return "native library not available for " + platform();
    }

    /**
     * Runs the library's self-test, {@code int32_t function(void)} returning 0 when every check passed, else
     * the number of the first failed one; returns null or the unavailability cause to report.
     */
    public static String selfTestFailure(SymbolLookup lookup, String function, String name) throws Throwable {
        int failed = (int) Linker.nativeLinker().downcallHandle(lookup.findOrThrow(function),
                FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
        return failed == 0 ? null : name + " failed its self-test (check " + failed + ")";
    }

    /** The unavailability cause to report when loading or binding library {@code name} threw {@code e}. */
    public static String whyNotLoaded(String name, Throwable e, List<String> tried) {
        if (e instanceof IllegalCallerException) {
            return "native access denied (run java with --enable-native-access=ALL-UNNAMED)";
        }
        return name + " did not load (" + e + "; tried " + String.join(", ", tried) + ")";
    }

    /** {@code linux-x86_64} style, as the resource directory is named. */
    public static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac")) {
            os = "macos";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86-64")) {
            arch = "x86_64";
        } else if (arch.equals("arm64")) {
            arch = "aarch64";
        }
        return os + "-" + arch;
    }
}
