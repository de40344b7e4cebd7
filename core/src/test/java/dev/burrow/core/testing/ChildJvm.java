package dev.burrow.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
