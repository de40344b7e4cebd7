package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.NotARepositoryException;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.Exec;
import dev.burrow.core.testing.SaveMain;
import dev.burrow.core.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    Path tmp;

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static SaveResult save(Repository repo, String name, Path src, ProgressListener listener) throws Exception {
        return Saver.save(repo, new SaveRequest(name, List.of(src), new PathRewrite(true, null, List.of()),
                ZonedDateTime.now(), 1, List.of("save")), listener);
    }

    @Test
    void missingRepositorySaysHowToCreateOne() {
        NotARepositoryException e = assertThrows(NotARepositoryException.class,
                () -> Repository.open(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains("init"), e.getMessage());
    }

    @Test
    void foreignDirectoryIsNotARepository() throws Exception {
        Path worktree = Files.createDirectories(tmp.resolve("project"));
        Exec.ok(worktree, "git", "init", "-q");
        Files.writeString(worktree.resolve("file"), "x");
        assertThrows(NotARepositoryException.class, () -> Repository.open(worktree));
        assertThrows(NotARepositoryException.class, () -> Repository.init(worktree));
        // A git repository's own directory is a bare-style object store bup can use, and so can we.
        Repository.open(worktree.resolve(".git"));
    }

    @Test
    void fullDiskFailsCleanlyAndLeavesTheRepositoryAsItWas() throws Exception {
        Assumptions.assumeTrue(isRoot(), "mounting a small tmpfs needs root");
        Path mnt = Files.createDirectories(tmp.resolve("small"));
        Exec.ok(null, "mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt.toString());
        try {
            Repository repo = Repository.init(mnt.resolve("repo"));
            Path src = Files.createDirectories(tmp.resolve("src"));
            Files.writeString(src.resolve("small"), "fits\n");
            save(repo, "full", src, ProgressListener.NONE);
            var before = repo.readRef("refs/heads/full");
            List<String> packsBefore = list(repo.packDirectory());
            Files.write(src.resolve("big"), TestData.random(1, 20 << 20));

            IOException e = assertThrows(IOException.class, () -> save(repo, "full", src, ProgressListener.NONE));
            assertTrue(Saver.isDiskFull(e), e.toString());
            assertEquals(before, repo.readRef("refs/heads/full"));
            assertEquals(packsBefore, list(repo.packDirectory()));
            assertEquals(List.of("info", "pack"), list(repo.directory().resolve("objects")));
            Bup.assertFsckClean(repo.directory());

            Files.delete(src.resolve("big"));
            Files.writeString(src.resolve("small2"), "fits too\n");
            save(repo, "full", src, ProgressListener.NONE);
            Bup.assertFsckClean(repo.directory());
        } finally {
            Exec.ok(null, "umount", mnt.toString());
        }
    }

    private static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fileThatVanishesIsSkippedWithAWarning() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a"), "first\n");
        Files.writeString(src.resolve("b"), "goes away\n");
        Files.writeString(src.resolve("c"), "stays\n");
        Repository repo = Repository.init(tmp.resolve("repo"));
        List<String> warnings = new ArrayList<>();
        SaveResult r = save(repo, "v", src, new ProgressListener() {
            @Override
            public void working(String what) {
                if (what.endsWith("/a")) {
                    try {
                        Files.delete(src.resolve("b"));
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        assertEquals(1, r.skipped());
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains(src.resolve("b").toString()) && warnings.getFirst().contains("vanished"),
                warnings.getFirst());
        Bup git = new Bup(repo.directory());
        assertEquals(List.of(".bupm", "a", "c"), git.git("ls-tree", "--name-only", "v").out().lines().toList());
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void fileThatChangesWhileReadIsSavedAsReadWithAWarning() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path grows = src.resolve("grows");
        Files.write(grows, TestData.random(2, 9 << 20));
        Repository repo = Repository.init(tmp.resolve("repo"));
        List<String> warnings = new ArrayList<>();
        SaveResult r = save(repo, "c", src, new ProgressListener() {
            private boolean appended;

            @Override
            public synchronized void progress(long bytes, long files) {
                if (bytes > 0 && !appended) {
                    appended = true;
                    try {
                        Files.write(grows, "more".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        assertEquals(1, r.skipped());
        assertTrue(warnings.getFirst().contains("changed while it was being read"), warnings.toString());
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void unreadableFilesAndDirectoriesAreSkippedAndTheRestIsSaved() throws Exception {
        Assumptions.assumeTrue(isRoot(), "runs the save without CAP_DAC_OVERRIDE, which needs root");
        Assumptions.assumeTrue(Exec.available("setpriv"), "setpriv (util-linux) is not installed");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("readable"), "ok\n");
        Path secret = src.resolve("secret");
        Files.writeString(secret, "no\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Path closed = Files.createDirectories(src.resolve("closed"));
        Files.writeString(closed.resolve("inside"), "hidden\n");
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
        Path repoDir = tmp.resolve("repo");
        Repository.init(repoDir);

        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
        cmd.addAll(ChildJvm.command(List.of(), SaveMain.class, List.of(repoDir.toString(), "u", src.toString())).command());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(1, TimeUnit.MINUTES);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("done ") && l.endsWith(" 2")), out);
        Bup git = new Bup(repoDir);
        assertEquals(List.of(".bupm", "closed", "readable"), git.git("ls-tree", "--name-only", "u").out().lines().toList());
        Bup.assertFsckClean(repoDir);
    }
}
