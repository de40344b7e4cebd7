package dev.burrow.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** The real bup and git, run against a repository, as the compatibility oracle. */
public final class Bup {
    private final Path repo;

    public Bup(Path repo) {
        this.repo = repo;
    }

    /** Skips the test when bup is not installed (CI installs it). */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Exec.available("bup"), "bup is not installed (apt-get install bup)");
    }

    public Exec.Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bup");
        cmd.add("-d");
        cmd.add(repo.toString());
        cmd.addAll(List.of(args));
        return Exec.run(null, Map.of("BUP_DIR", repo.toString()), cmd).check(cmd);
    }

    public Exec.Result git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("--git-dir=" + repo);
        cmd.addAll(List.of(args));
        return Exec.run(null, Map.of(), cmd).check(cmd);
    }

    /** Asserts that {@code git fsck --full} accepts the repository with no errors or warnings about objects. */
    public static void assertFsckClean(Path repo) {
        List<String> cmd = List.of("git", "--git-dir=" + repo, "fsck", "--full", "--strict");
        Exec.Result r = Exec.run(null, Map.of(), cmd);
        String problems = (r.stderr() + r.out()).lines()
                .filter(l -> !l.startsWith("dangling ") && !l.startsWith("Checking") && !l.startsWith("notice: ")
                        && !l.isBlank())
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals(0, r.exitCode(), "git fsck failed: " + problems);
        assertEquals("", problems, "git fsck reported problems");
    }
}
