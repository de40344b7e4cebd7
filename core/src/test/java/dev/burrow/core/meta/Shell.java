package dev.burrow.core.meta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs external tools (bup, git, setfattr, touch) for tests. */
final class Shell {
    private Shell() {
    }

    /** Runs {@code command} and returns its standard output; fails the test on a non-zero exit. */
    static byte[] run(Path directory, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(directory.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process));
        byte[] stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + new String(stderr.join(), StandardCharsets.UTF_8));
        }
        return stdout;
    }

    static String runText(Path directory, String... command) throws IOException, InterruptedException {
        return new String(run(directory, command), StandardCharsets.UTF_8);
    }

    /** Whether {@code program} is on the PATH. */
    static boolean has(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] readAll(Process process) {
        try {
            return process.getErrorStream().readAllBytes();
        } catch (IOException e) {
            return ("(stderr unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
    }
}
