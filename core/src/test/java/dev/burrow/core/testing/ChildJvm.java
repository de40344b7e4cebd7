package dev.burrow.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a main class of the test class path in a separate JVM, to kill it or bound its heap. */
public final class ChildJvm {
    private ChildJvm() { }

    public static ProcessBuilder command(List<String> jvmOptions, Class<?> main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    public static Process start(List<String> jvmOptions, Class<?> main, List<String> args) throws IOException {
        return command(jvmOptions, main, args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Runs {@code main} in a JVM with exactly {@code jvmOptions} (no native access unless they grant it) and returns
     * what it printed, line by line; fails the test unless it exits 0. For choices a JVM makes once, at start.
     */
    public static List<String> printedLines(List<String> jvmOptions, Class<?> main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        return Exec.run(null, Map.of(), cmd).check(cmd).out().lines().toList();
    }
}
