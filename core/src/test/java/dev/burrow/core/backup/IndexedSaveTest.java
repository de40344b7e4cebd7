package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.Exec;
import dev.burrow.core.testing.SaveMain;
import dev.burrow.core.testing.TestData;
import dev.burrow.core.testing.TreeDescription;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saves with the filesystem index: unchanged files are not read, changed ones are, and a killed save resumes. */
class IndexedSaveTest {
    @TempDir
    Path tmp;

    private static SaveResult save(Repository repo, Path src, boolean useIndex) throws Exception {
        return Saver.save(repo, new SaveRequest("i", List.of(src), new PathRewrite(true, null, List.of()),
                ZonedDateTime.now(), 1, List.of("save"), useIndex), ProgressListener.NONE);
    }

    private Path tree() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.write(src.resolve("big.bin"), TestData.random(1, 3 << 20));
        for (int d = 0; d < 3; d++) {
            Path dir = Files.createDirectories(src.resolve("dir-" + d));
            for (int f = 0; f < 20; f++) {
                Files.writeString(dir.resolve("f-" + f + ".txt"), "file " + d + "/" + f + "\n".repeat(f));
            }
        }
        Files.createSymbolicLink(src.resolve("link"), Path.of("big.bin"));
        return src;
    }

    /**
     * The index never trusts an entry whose ctime or mtime is within a second of the save that recorded it
     * (the file could change again within the clock's resolution), so a test that wants hits must let the
     * clock pass the files' last change by that much. This waits for the clock, not for another thread.
     */
    private static void letTheClockPassTheRacyWindow() throws InterruptedException {
        Thread.sleep(1100);
    }

    @Test
    void unchangedFilesAreNotReadAndChangedOnesAre() throws Exception {
        Path src = tree();
        Repository repo = Repository.init(tmp.resolve("repo"));
        // Unchanged directories are reused whole, .bupm atimes included (as bup does), so the first save's reads
        // must not move the atimes that a full save would record: with relatime, atimes ahead stay put.
        try (Stream<Path> all = Files.walk(src)) {
            futureAtime(all.toArray(Path[]::new));
        }
        letTheClockPassTheRacyWindow();
        SaveResult first = save(repo, src, true);
        assertEquals(contentBytes(src), first.bytes(), "the first save reads everything");

        SaveResult second = save(repo, src, true);
        assertEquals(0, second.bytes(), "an unchanged tree is not read");
        assertEquals(61, second.unchanged());
        assertEquals(save(repo, src, false).tree(), second.tree(), "the index changes what is read, not what is stored");

        Path changed = src.resolve("dir-1/f-3.txt");
        Files.writeString(changed, "appended\n", StandardOpenOption.APPEND);
        SaveResult third = save(repo, src, true);
        assertEquals(Files.size(changed), third.bytes(), "only the changed file is read");
        assertEquals(60, third.unchanged());

        assertEquals(Files.readString(changed),
                new Bup(repo.directory()).git("cat-file", "blob", third.tree().name() + ":dir-1/f-3.txt").out());
        assertEquals(0, save(repo, src, false).unchanged());
        Bup.assertFsckClean(repo.directory());
    }

    /**
     * An indexed re-save takes an unchanged file's chattr flags from the index instead of reading its flags,
     * xattrs and ACL; each kind of change must still reach the snapshot exactly as a save without the index
     * stores it. Files and directories whose next read would move their atime (new, rewritten, or listed
     * after a change) get an atime in the future first, so that the full save that follows sees what the
     * indexed one saw.
     */
    @Test
    void indexedResaveStoresWhatAFullSaveStoresAfterEachKindOfChange() throws Exception {
        Path src = tree();
        Path dir0 = src.resolve("dir-0");
        Path dir1 = src.resolve("dir-1");
        Path dir2 = src.resolve("dir-2");
        Path tagged = dir0.resolve("f-1.txt");
        Assumptions.assumeTrue(setXattr(tagged, "burrow", "v1"), "no user xattrs on this filesystem");
        boolean chattr = Exec.available("chattr")
                && Exec.run(tmp, java.util.Map.of(), List.of("chattr", "+d", dir1.resolve("f-5.txt").toString()))
                        .exitCode() == 0;
        Repository repo = Repository.init(tmp.resolve("repo"));
        try (Stream<Path> all = Files.walk(src)) {
            futureAtime(all.toArray(Path[]::new));
        }
        letTheClockPassTheRacyWindow();
        SaveResult first = assertSameAsFullSave(repo, src);
        assertEquals(contentBytes(src), first.bytes());
        SaveResult unchanged = assertSameAsFullSave(repo, src);
        assertEquals(0, unchanged.bytes(), "nothing changed, nothing read");
        assertEquals(61, unchanged.unchanged());

        Files.setPosixFilePermissions(dir0.resolve("f-3.txt"), PosixFilePermissions.fromString("rw-------"));
        assertTrue(setXattr(dir0.resolve("f-4.txt"), "burrow", "added"));
        assertTrue(setXattr(tagged, "burrow", "v2"));
        if (chattr) {
            Exec.ok(tmp, "chattr", "-d", dir1.resolve("f-5.txt").toString());
            Exec.ok(tmp, "chattr", "+d", dir1.resolve("f-6.txt").toString());
        }
        boolean acl = Exec.available("setfacl") && Exec.run(tmp, java.util.Map.of(),
                List.of("setfacl", "-m", "u:1234:r--", dir1.resolve("f-7.txt").toString())).exitCode() == 0;
        Files.move(dir2.resolve("f-0.txt"), dir2.resolve("renamed.txt"));
        Files.delete(dir2.resolve("f-1.txt"));
        Files.writeString(dir2.resolve("new.txt"), "new file in a directory of unchanged ones\n");
        futureAtime(dir2, dir2.resolve("new.txt"));
        letTheClockPassTheRacyWindow();

        SaveResult changed = assertSameAsFullSave(repo, src);
        // Read again: the chmod, the two xattr changes, the renamed and the new file, the chattr and ACL changes.
        int read = 5 + (chattr ? 2 : 0) + (acl ? 1 : 0);
        assertEquals(61 - read, changed.unchanged());
        SaveResult again = assertSameAsFullSave(repo, src);
        assertEquals(0, again.bytes());
        assertEquals(61, again.unchanged());
        Bup.assertFsckClean(repo.directory());
    }

    /** An indexed save, then a save that reads everything: both must give the same tree. */
    private static SaveResult assertSameAsFullSave(Repository repo, Path src) throws Exception {
        SaveResult indexed = save(repo, src, true);
        assertEquals(save(repo, src, false).tree(), indexed.tree(), "an indexed save stores what a full save stores");
        return indexed;
    }

    private static boolean setXattr(Path file, String name, String value) throws Exception {
        try {
            Files.getFileAttributeView(file, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                    .write(name, java.nio.ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Sets atimes an hour ahead: with relatime, reading or listing them then leaves the atime alone. */
    private static void futureAtime(Path... paths) throws Exception {
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().plusSeconds(3600));
        for (Path p : paths) {
            // A symlink too: readlink moves its atime like a read.
            Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setTimes(null, later, null);
        }
    }

    private static long contentBytes(Path src) throws Exception {
        try (Stream<Path> s = Files.walk(src)) {
            long n = 0;
            for (Path f : s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                n += Files.size(f);
            }
            return n;
        }
    }

    @Test
    void resaveOfUnreadableButUnchangedFilesReadsNothing() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to drop CAP_DAC_OVERRIDE");
        Assumptions.assumeTrue(Exec.available("setpriv"), "setpriv (util-linux) is not installed");
        Path src = tree();
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (Path f : files) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        }
        Path repoDir = tmp.resolve("repo");
        Repository repo = Repository.init(repoDir);
        letTheClockPassTheRacyWindow();
        // As root, the first save can read the mode-000 files; the second runs without that privilege.
        SaveResult first = save(repo, src, true);
        assertEquals(0, first.skipped());

        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
        cmd.addAll(ChildJvm.command(List.of(), SaveMain.class, List.of(repoDir.toString(), "i", src.toString()))
                .command());
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        // done BYTES_READ SKIPPED: nothing read, nothing skipped, although no file could have been opened.
        assertTrue(out.lines().anyMatch(l -> l.equals("done 0 0")), out);
        Bup.assertFsckClean(repoDir);

        for (Path f : files) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path restored = Files.createDirectories(tmp.resolve("out"));
        new Bup(repoDir).run("restore", "-C", restored.toString(), "/i/latest/.");
        for (Path f : files) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(f), Files.readAllBytes(restored.resolve(src.relativize(f)))),
                    f.toString());
        }
    }

    @Test
    void aKilledSaveResumesReadingOnlyWhatIsMissing() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        int files = 48;
        for (int i = 0; i < files; i++) {
            Files.write(src.resolve(String.format("part-%02d", i)), TestData.random(100 + i, 1 << 20));
        }
        long total = (long) files << 20;
        Path repoDir = tmp.resolve("repo");
        Repository repo = Repository.init(repoDir);
        letTheClockPassTheRacyWindow();

        Process p = ChildJvm.start(List.of("-Xmx256m", "-Dburrow.save.checkpointBytes=" + (2 << 20)), SaveMain.class,
                List.of(repoDir.toString(), "i", src.toString()));
        String killedAt = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("progress ") && Long.parseLong(line.substring(9)) >= total - (6 << 20)) {
                    p.destroyForcibly();
                    killedAt = line;
                    break;
                }
            }
        }
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertTrue(killedAt != null, "the save finished before it could be killed");
        assertTrue(repo.readRef("refs/heads/i").isEmpty(), "the killed save moved the branch");

        SaveResult resumed = save(repo, src, true);
        assertTrue(resumed.unchanged() >= 16, "resumed save reused " + resumed.unchanged() + " files");
        assertEquals(total, resumed.bytes() + (resumed.unchanged() << 20), "the rest was read");
        Bup.assertFsckClean(repoDir);
        Path out = Files.createDirectories(tmp.resolve("out"));
        new Bup(repoDir).run("restore", "-C", out.toString(), "/i/latest/.");
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
    }
}
