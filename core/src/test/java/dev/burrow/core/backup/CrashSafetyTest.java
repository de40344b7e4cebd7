package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.check.Fsck;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.SampleTree;
import dev.burrow.core.testing.SaveMain;
import dev.burrow.core.testing.TestData;
import dev.burrow.core.testing.TreeDescription;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills saves with SIGKILL at random points (by bytes read, including before the first byte and after the
 * last, while the pack is finished and the ref moved) and checks that the repository is always consistent.
 */
class CrashSafetyTest {
    private static final int KILLS = 12;

    @TempDir
    Path tmp;

    @Test
    void saveKilledAtRandomMomentsLeavesAConsistentRepository() throws Exception {
        Bup.assumeInstalled();
        Path src = tmp.resolve("src");
        SampleTree.create(src, 6 << 20);
        String original = TreeDescription.of(src, TreeDescription.Options.ALL);
        Path repoDir = tmp.resolve("repo");
        Repository repo = Repository.init(repoDir);
        assertEquals("done", runSave(repoDir, "first", src, Long.MAX_VALUE).split(" ")[0]);
        Bup bup = new Bup(repoDir);

        Random rnd = new Random(20261125);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            // New content each round, so every save has new objects to write.
            Path extra = Files.createDirectories(src.resolve("extra"));
            Files.write(extra.resolve("round-" + i), TestData.random(i, 3 << 20));
            long total = 30L << 20;
            long killAt = switch (i % 4) {
                case 0 -> 0;
                case 1 -> Long.MAX_VALUE - 1;   // after the content: while finishing the pack or moving the ref
                default -> (long) (rnd.nextDouble() * total);
            };
            Optional<ObjectId> before = repo.readRef("refs/heads/crash");
            String outcome = runSave(repoDir, "crash", src, killAt);
            outcomes.add(outcome);
            Optional<ObjectId> after = repo.readRef("refs/heads/crash");

            Bup.assertFsckClean(repoDir);
            assertEquals(List.of(), Fsck.check(repo, ProgressListener.NONE).problems(), "burrow fsck, round " + i);
            if (!after.equals(before)) {
                assertTrue(after.isPresent());
                assertEquals(before.map(ObjectId::name).orElse(""),
                        before.isPresent() ? bup.git("rev-parse", "crash^").out().trim() : "", "parent of new tip");
            }
            Path out = Files.createDirectories(tmp.resolve("out-" + i));
            bup.run("restore", "-C", out.toString(), "/first/latest/.");
            assertEquals(original, TreeDescription.of(out, TreeDescription.Options.ALL), "round " + i);
            if (after.isPresent()) {
                bup.run("restore", "-C", tmp.resolve("crash-out-" + i).toString(), "/crash/latest/.");
            }
            try (var s = Files.list(repoDir.resolve("objects"))) {
                // At most the killed process's own temp directory is left; the next save removes it.
                assertTrue(s.filter(p -> p.getFileName().toString().startsWith("burrow-tmp-")).count() <= 1);
            }
        }
        assertEquals("done", runSave(repoDir, "crash", src, Long.MAX_VALUE).split(" ")[0]);
        Bup.assertFsckClean(repoDir);
        try (var s = Files.list(repoDir.resolve("objects"))) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("burrow-tmp-")).count(),
                    "stale temp directories were not cleaned up");
        }
        assertTrue(outcomes.stream().anyMatch(o -> o.startsWith("killed")), "no save was killed: " + outcomes);
    }

    /** Runs a save in a child JVM and kills it once it reports {@code killAt} bytes read (or at exit). */
    private static String runSave(Path repo, String name, Path src, long killAt) throws Exception {
        Process p = ChildJvm.start(List.of("-Xmx256m"), SaveMain.class, List.of(repo.toString(), name, src.toString()));
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            if (killAt == 0) {
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.MINUTES);
                return "killed at start";
            }
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("progress ") && Long.parseLong(line.substring(9)) >= killAt) {
                    p.destroyForcibly();
                    p.waitFor(1, TimeUnit.MINUTES);
                    return "killed at " + line;
                }
                if (line.startsWith("done")) {
                    if (killAt != Long.MAX_VALUE) {
                        // Kill while the JVM is still closing; the ref has moved by now.
                        p.destroyForcibly();
                    }
                    p.waitFor(1, TimeUnit.MINUTES);
                    return line;
                }
                if (line.startsWith("error")) {
                    throw new AssertionError("save failed: " + line);
                }
            }
        }
        p.waitFor(1, TimeUnit.MINUTES);
        return "exited " + p.exitValue();
    }
}
