package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.hash.Sha1Hashers;
import dev.burrow.core.split.Chunkers;
import dev.burrow.core.zlib.Zlib;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path tmp;

    private CliHarness cli() {
        return new CliHarness(tmp.resolve("home"));
    }

    @Test
    void missingRepositoryIsOneLineErrorAndExitOne() {
        CliHarness cli = cli();
        Path repo = tmp.resolve("nope");
        int code = cli.run("-d", repo.toString(), "ls");
        assertEquals(List.of(1, "", "burrow: " + repo + ": no such directory; create a repository with 'burrow -d "
                + repo + " init'\n"), List.of(code, cli.out(), cli.err()));
    }

    @Test
    void directoryThatIsNoRepositoryIsOneLineError() throws Exception {
        CliHarness cli = cli();
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        int code = cli.run("-d", dir.toString(), "fsck");
        assertEquals(List.of(1, "burrow: " + dir + ": not a Burrow/bup repository (no objects/, refs/ or HEAD);"
                + " create one with 'burrow -d DIR init' in an empty directory\n"), List.of(code, cli.err()));
    }

    @Test
    void initThenLsOfEmptyRepositoryPrintsNothing() {
        CliHarness cli = cli();
        Path repo = tmp.resolve("repo");
        int init = cli.run("-d", repo.toString(), "init");
        String initOut = cli.out();
        int ls = cli.run("-d", repo.toString(), "ls");
        assertEquals(List.of(0, "Initialized Burrow repository in " + repo + "\n", 0, "", ""),
                List.of(init, initOut, ls, cli.out(), cli.err()));
    }

    @Test
    void initUsesBurrowDirWhenNoOptionIsGiven() {
        CliHarness cli = cli();
        Path repo = tmp.resolve("from-env");
        cli.env.put("BURROW_DIR", repo.toString());
        int code = cli.run("init");
        assertEquals(List.of(0, true), List.of(code, Files.isRegularFile(repo.resolve("HEAD"))));
    }

    @Test
    void initInNonEmptyDirectoryIsOneLineError() throws Exception {
        CliHarness cli = cli();
        Path dir = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(dir.resolve("file"), "x");
        int code = cli.run("-d", dir.toString(), "init");
        assertEquals(List.of(1, "burrow: " + dir + ": exists and is not an empty directory or a git repository;"
                + " choose another path\n"), List.of(code, cli.err()));
    }

    @Test
    void unknownCommandIsUsageErrorWithExitTwo() {
        CliHarness cli = cli();
        int code = cli.run("frobnicate");
        assertEquals(List.of(2, "", "burrow: unknown command 'frobnicate'; see 'burrow --help'\n"),
                List.of(code, cli.out(), cli.err()));
    }

    @Test
    void unknownOptionIsUsageErrorNamingTheCommand() {
        CliHarness cli = cli();
        int code = cli.run("ls", "--bogus");
        assertEquals(List.of(2, "burrow: Unknown option: '--bogus'; see 'burrow ls --help'\n"),
                List.of(code, cli.err()));
    }

    @Test
    void missingCommandIsUsageError() {
        CliHarness cli = cli();
        int code = cli.run("-d", "/tmp");
        assertEquals(List.of(2, "burrow: missing command; see 'burrow --help'\n"), List.of(code, cli.err()));
    }

    @Test
    void versionNamesBurrowTheJavaRuntimeTheChunkerZlibAndSha1() {
        CliHarness cli = cli();
        int code = cli.run("--version");
        List<String> lines = cli.out().lines().toList();
        assertEquals(List.of(0, 5, true, true, "chunker: " + Chunkers.description(), "zlib: " + Zlib.description(),
                        "sha1: " + Sha1Hashers.description()),
                List.of(code, lines.size(), lines.get(0).startsWith("burrow "),
                        lines.get(1).startsWith("Java " + Runtime.version()), lines.get(2), lines.get(3), lines.get(4)));
    }

    @Test
    void versionSaysTheNativeChunkerAndSha1AreUsedWhereTheyAreBuilt() {
        // The native module builds the libraries on Linux x86-64 with /usr/bin/gcc; there it must be the one in use.
        Assumptions.assumeTrue("Linux".equals(System.getProperty("os.name"))
                && "amd64".equals(System.getProperty("os.arch")) && Files.isExecutable(Path.of("/usr/bin/gcc")),
                "the native libraries are not built here");
        CliHarness cli = cli();
        cli.run("--version");
        String line = cli.out().lines().toList().get(2);
        assertTrue(line.matches("chunker: native \\((AVX-512|AVX2|scalar), libburrowchunk\\.so\\)"), line);
        String sha1 = cli.out().lines().toList().get(4);
        assertTrue(sha1.matches("sha1: native \\((SHA-NI|scalar), libburrowsha1\\.so\\)"), sha1);
    }

    @Test
    void helpListsEveryCommandAndTheRepositoryRules() {
        CliHarness cli = cli();
        int code = cli.run("--help");
        String help = cli.out();
        assertEquals(0, code);
        for (String word : List.of("init", "save", "split", "ls", "restore", "join", "fsck", "$BURROW_DIR",
                "$XDG_DATA_HOME/burrow/repo", "~/.local/share/burrow/repo")) {
            assertTrue(help.contains(word), () -> word + " missing from:\n" + help);
        }
    }

    @Test
    void stackTraceOnlyWithBurrowDebug() {
        CliHarness cli = cli();
        cli.env.put("BURROW_DEBUG", "1");
        int code = cli.run("-d", tmp.resolve("nope").toString(), "ls");
        List<String> lines = cli.err().lines().toList();
        assertEquals(List.of(1, true, true), List.of(code, lines.size() > 2,
                lines.get(1).startsWith("dev.burrow.core.store.NotARepositoryException")));
    }
}
