package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code burrow ls} prints what {@code bup ls} prints, for a repository that bup itself wrote. */
class LsCommandBupTest {
    @TempDir
    static Path tmp;

    private static Path repo;
    private static Path home;

    @BeforeAll
    static void bupSavesASmallTree() throws Exception {
        repo = tmp.resolve("bup");
        home = tmp.resolve("home");
        Path src = Files.createDirectories(tmp.resolve("src/sub"));
        Files.writeString(src.resolve("small.txt"), "hello\n");
        Files.write(src.resolve("big.bin"), new byte[300_000]);
        Files.writeString(src.resolve(".hidden"), "h");
        Files.createSymbolicLink(src.resolve("link"), Path.of("small.txt"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("/nonexistent"));
        Path top = src.getParent();
        Files.writeString(top.resolve("top.txt"), "top\n");
        bup("init");
        bup("index", top.toString());
        bup("save", "-n", "set", "--strip", top.toString());
        bup("save", "-n", "other", "--strip", top.toString());
        bup("split", "-n", "blob", top.resolve("top.txt").toString());
    }

    private static String bup(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bup"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("BUP_DIR", repo.toString());
        // Snapshot names and listed times are local; bup and the Vfs must agree on the zone.
        pb.environment().put("TZ", ZoneId.systemDefault().getId());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("bup " + String.join(" ", args) + " failed");
        }
        return out;
    }

    private static String burrow(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(Map.of("BURROW_DIR", repo.toString()), home, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, System::nanoTime, Clock.systemDefaultZone());
        int code = new Cli(context).execute(args);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(0, code);
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/set", "/set/latest", "/set/latest/sub", "/set/latest/sub/small.txt", "/blob/latest"})
    void shortListingMatchesBup(String path) throws Exception {
        List<String> args = List.of("ls", path);
        assertEquals(bup(args.toArray(String[]::new)), burrow(args.toArray(String[]::new)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/set", "/set/latest", "/set/latest/sub", "/set/latest/sub/small.txt", "/blob/latest",
            "/set/latest/sub/link", "/set/latest/sub/dangling", "set/latest/sub/../top.txt"})
    void longListingMatchesBup(String path) throws Exception {
        assertEquals(bup("ls", "-l", path), burrow("ls", "-l", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/set/latest/sub"})
    void allListingMatchesBup(String path) throws Exception {
        assertEquals(bup("ls", "-la", path), burrow("ls", "-l", "-a", path));
    }

    @Test
    void numericIdsMatchBup() throws Exception {
        assertEquals(bup("ls", "-ln", "/set/latest/sub"), burrow("ls", "-l", "-n", "/set/latest/sub"));
    }
}
