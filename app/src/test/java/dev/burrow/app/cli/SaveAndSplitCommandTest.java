package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.store.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The save and split commands against the real engines, in a temporary repository. */
class SaveAndSplitCommandTest {
    @TempDir
    Path tmp;

    private CliHarness cli;
    private Path repo;

    @BeforeEach
    void initRepository() {
        cli = new CliHarness(tmp.resolve("home"));
        repo = tmp.resolve("repo");
        cli.env.put("BURROW_DIR", repo.toString());
        assertEquals(0, cli.run("init"));
    }

    @Test
    void savePrintsCommitIdOnStdoutAndOneSummaryLineOnStderr() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "hello\n");
        int code = cli.run("save", "-n", "docs", "-c", "--strip", src.toString());
        String commit = Repository.open(repo).readRef("refs/heads/docs").orElseThrow().name();
        List<String> err = cli.err().lines().toList();
        assertEquals(List.of(0, commit + "\n", 1), List.of(code, cli.out(), err.size()));
        assertTrue(err.getFirst().matches("saved \\d+ files?, 6 B in \\d+\\.\\d s \\(.*/s\\), .* new; commit "
                + commit.substring(0, 12)), err.getFirst());
    }

    @Test
    void saveOfMissingPathIsOneLineErrorAndNoCommit() throws Exception {
        Path missing = tmp.resolve("missing");
        int code = cli.run("save", "-n", "docs", missing.toString());
        assertEquals(List.of(1, "burrow: " + missing + ": no such file or directory\n", false),
                List.of(code, cli.err(), Repository.open(repo).readRef("refs/heads/docs").isPresent()));
    }

    @Test
    void splitOfStandardInputPrintsTreeAndCommit() throws Exception {
        cli.stdin("some data\n".getBytes(StandardCharsets.UTF_8));
        int code = cli.run("split", "-n", "blob", "-t", "-c");
        String commit = Repository.open(repo).readRef("refs/heads/blob").orElseThrow().name();
        List<String> out = cli.out().lines().toList();
        assertEquals(List.of(0, 2, commit), List.of(code, out.size(), out.get(1)));
        assertTrue(cli.err().matches("split 10 B in .*; commit " + commit.substring(0, 12) + "\n"), cli.err());
    }

    @Test
    void joinWritesBackWhatSplitStored() {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        cli.stdin(data);
        assertEquals(0, cli.run("split", "-n", "blob"));
        int code = cli.run("join", "blob");
        assertEquals(List.of(0, true, true), List.of(code, Arrays.equals(data, cli.outBytes()),
                cli.err().startsWith("joined 200 kB in ")));
    }
}
