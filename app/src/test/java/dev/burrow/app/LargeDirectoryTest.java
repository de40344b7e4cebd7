package dev.burrow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory of 60,000 files saved, saved again and restored by the CLI in a JVM with the options a user's
 * Burrow runs with (scripts/jvm-options): they once capped the heap at 40 MiB, and such a save failed with
 * OutOfMemoryError.
 */
class LargeDirectoryTest {
    private static final int FILES = 60_000;

    /** The JVM options of scripts/jvm-options, one per line, without comments. */
    static List<String> jvmOptions() throws IOException {
        Path file = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("jvm-options");
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                options.add(line.trim());
            }
        }
        return options;
    }

    private static void burrow(Path repo, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "-d", repo.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> String.join(" ", args) + " failed:\n" + out);
    }

    @Test
    void sixtyThousandFilesSaveResaveAndRestore(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("data/mail/cur"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(dir.resolve("1700000000." + i + ".host,S=" + i + ":2,S"), Integer.toString(i));
        }
        Path repo = tmp.resolve("repo");
        burrow(repo, "init");
        burrow(repo, "save", "-n", "mail", tmp.resolve("data").toString());
        burrow(repo, "save", "-n", "mail", tmp.resolve("data").toString());
        Path out = tmp.resolve("out");
        burrow(repo, "restore", "-C", out.toString(), "/mail/latest" + tmp.resolve("data") + "/.");
        try (Stream<Path> restored = Files.list(out.resolve("mail/cur"))) {
            assertEquals(FILES, restored.count());
        }
        assertEquals("59999", Files.readString(out.resolve("mail/cur/1700000000.59999.host,S=59999:2,S")));
    }
}
