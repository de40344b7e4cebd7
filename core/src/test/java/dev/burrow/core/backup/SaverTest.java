package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.check.Fsck;
import dev.burrow.core.check.FsckReport;
import dev.burrow.core.restore.RestoreOptions;
import dev.burrow.core.restore.RestoreResult;
import dev.burrow.core.restore.Restorer;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.SampleTree;
import dev.burrow.core.testing.TestData;
import dev.burrow.core.testing.TreeDescription;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaverTest {
    @TempDir
    Path tmp;

    static SaveResult save(Repository repo, String name, PathRewrite rewrite, Path... sources) throws Exception {
        return Saver.save(repo, new SaveRequest(name, List.of(sources), rewrite, ZonedDateTime.now(), 1,
                List.of("save", "-n", name)), ProgressListener.NONE);
    }

    @Test
    void bupRestoresWhatBurrowSavedIdentically() throws Exception {
        Bup.assumeInstalled();
        Path src = tmp.resolve("src");
        SampleTree.create(src, 3 << 20);
        Repository repo = Repository.init(tmp.resolve("repo"));
        SaveResult r = save(repo, "sample", new PathRewrite(true, null, List.of()), src);
        assertEquals(0, r.skipped());
        Bup.assertFsckClean(repo.directory());

        Path out = Files.createDirectories(tmp.resolve("out"));
        new Bup(repo.directory()).run("restore", "-C", out.toString(), "/sample/latest/.");
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
    }

    @Test
    void burrowRestoresWhatBurrowSavedIdentically() throws Exception {
        Path src = tmp.resolve("src");
        SampleTree.create(src, 3 << 20);
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "sample", PathRewrite.NONE, src);
        Path out = tmp.resolve("out");
        RestoreResult r = Restorer.restore(repo, List.of("/sample/latest" + src + "/."), out, RestoreOptions.defaults(),
                ProgressListener.NONE);
        assertEquals(0, r.warnings());
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
        FsckReport fsck = Fsck.check(repo, ProgressListener.NONE);
        assertEquals(List.of(), fsck.problems());
    }

    @Test
    void storesAbsolutePathsAsBupDoes() throws Exception {
        Bup.assumeInstalled();
        Path src = Files.createDirectories(tmp.resolve("abs/src"));
        Files.writeString(src.resolve("f"), "x\n");
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "a", PathRewrite.NONE, src);
        String listing = new Bup(repo.directory()).run("ls", "/a/latest" + src).out();
        assertEquals("f\n", listing);
    }

    @Test
    void sameFileBlobsAndNamesAsBupSave() throws Exception {
        Bup.assumeInstalled();
        Path src = tmp.resolve("src");
        SampleTree.create(src, 1 << 20);
        Path bupRepo = tmp.resolve("bup");
        Bup bup = new Bup(bupRepo);
        bup.run("init");
        bup.run("index", src.toString());
        bup.run("save", "-n", "s", "--strip", src.resolve("nested").toString());
        bup.run("save", "-n", "t", src.toString());
        Repository repo = Repository.init(tmp.resolve("ours"));
        save(repo, "s", new PathRewrite(true, null, List.of()), src.resolve("nested"));
        save(repo, "t", PathRewrite.NONE, src);
        Bup ours = new Bup(repo.directory());
        for (String branch : List.of("t")) {
            assertEquals(leaves(bup, branch), leaves(ours, branch), branch);
        }
    }

    /** Every non-.bupm leaf of a snapshot: mode, type, id and path. */
    private static String leaves(Bup repo, String branch) {
        return repo.git("ls-tree", "-r", "--full-tree", branch).out().lines()
                .filter(l -> !l.endsWith("/.bupm") && !l.endsWith("\t.bupm") && !l.contains(".bupm/"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void reportsMeasuredTotalsOnceAndNothingAfterReturning() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("sub"));
        Files.write(src.resolve("a"), TestData.random(1, 5000));
        Files.write(src.resolve("sub/b"), TestData.random(2, 70_000));
        Files.createSymbolicLink(src.resolve("link"), Path.of("a"));
        Repository repo = Repository.init(tmp.resolve("repo"));
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicBoolean returned = new AtomicBoolean();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void started(long totalBytes, long totalFiles) {
                events.add("started " + totalBytes + " " + totalFiles + (returned.get() ? " late" : ""));
            }

            @Override
            public void totalsKnown(long totalBytes, long totalFiles) {
                events.add("totals " + totalBytes + " " + totalFiles + (returned.get() ? " late" : ""));
            }
        };
        Saver.save(repo, new SaveRequest("t", List.of(src), PathRewrite.NONE, ZonedDateTime.now(), 1,
                List.of("save", "-n", "t")), listener);
        returned.set(true);
        // Entries: src, sub, a, sub/b, link; bytes of the regular files only.
        assertEquals(List.of("started -1 -1", "totals 75000 5"), events);
    }

    @Test
    void measuresNothingForAListenerThatWantsNoTotals() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.write(src.resolve("a"), TestData.random(1, 5000));
        Repository repo = Repository.init(tmp.resolve("repo"));
        List<String> events = new CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void started(long totalBytes, long totalFiles) {
                events.add("started " + totalBytes + " " + totalFiles);
            }

            @Override
            public void totalsKnown(long totalBytes, long totalFiles) {
                events.add("totals " + totalBytes + " " + totalFiles);
            }

            @Override
            public boolean wantsTotals() {
                return false;
            }
        };
        Saver.save(repo, new SaveRequest("t", List.of(src), PathRewrite.NONE, ZonedDateTime.now(), 1,
                List.of("save", "-n", "t")), listener);
        assertEquals(List.of("started -1 -1"), events);
    }

    @Test
    void nearDuplicateCostsOnlyAFewChunks() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        byte[] big = TestData.random(3, 8 << 20);
        Files.write(src.resolve("big"), big);
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "n", PathRewrite.NONE, src);
        byte[] near = new byte[big.length + 3];
        System.arraycopy(big, 0, near, 0, 4_000_000);
        System.arraycopy(big, 4_000_000, near, 4_000_003, big.length - 4_000_000);
        Files.write(src.resolve("near"), near);
        SaveResult second = save(repo, "n", PathRewrite.NONE, src);
        assertTrue(second.newBytes() < 200_000, "near-duplicate stored " + second.newBytes() + " new bytes");
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void missingSourceFailsBeforeWritingAnything() throws Exception {
        Repository repo = Repository.init(tmp.resolve("repo"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> save(repo, "m", PathRewrite.NONE, tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertEquals(Optional.empty(), repo.readRef("refs/heads/m"));
        try (var s = Files.list(repo.packDirectory())) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void secondSaveHasTheFirstAsParent() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f"), "1");
        Repository repo = Repository.init(tmp.resolve("repo"));
        SaveResult first = save(repo, "p", PathRewrite.NONE, src);
        Files.writeString(src.resolve("f"), "2");
        SaveResult second = save(repo, "p", PathRewrite.NONE, src);
        Bup git = new Bup(repo.directory());
        assertEquals(first.commit().name(), git.git("rev-parse", "p^").out().trim());
        assertEquals(second.commit().name(), git.git("rev-parse", "p").out().trim());
    }

    @Test
    void graftCreatesSyntheticParents() throws Exception {
        Bup.assumeInstalled();
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f"), "g\n");
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "g", new PathRewrite(false, null, List.of(new PathRewrite.Graft(src, Path.of("/x/y")))), src);
        Bup bup = new Bup(repo.directory());
        assertEquals("f\n", bup.run("ls", "/g/latest/x/y").out());
        // Synthetic directories have an empty metadata entry, a single 0 byte.
        assertEquals("00", java.util.HexFormat.of().formatHex(bup.git("cat-file", "blob", "g:x/.bupm").stdout()));
    }
}
