package dev.burrow.core.backup;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.Exec;
import dev.burrow.core.testing.SampleTree;
import dev.burrow.core.testing.SaveMain;
import dev.burrow.core.testing.TestData;
import dev.burrow.core.testing.TreeDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavePipelineTest {
    private static final ZonedDateTime DATE = ZonedDateTime.parse("2026-11-25T22:00:00+01:00");

    @TempDir
    Path tmp;

    private static SaveRequest request(Path src) {
        return new SaveRequest("p", List.of(src), new PathRewrite(true, null, List.of()), DATE, 1, List.of("save"));
    }

    /** Text, incompressible data across several 8 MiB reads, a near-duplicate, and many small files. */
    private Path mixedTree() throws Exception {
        Path src = tmp.resolve("src");
        SampleTree.create(src, 9 << 20);
        Path docs = Files.createDirectories(src.resolve("docs"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append("line ").append(i).append(" of some compressible text, again and again\n");
            Files.writeString(docs.resolve("note-" + i + ".txt"), text.substring(0, Math.min(text.length(), 100 * i + 7)));
        }
        Files.write(src.resolve("random-17m.bin"), TestData.random(17, 17 << 20));
        return src;
    }

    private static List<String> packNames(Repository repo) throws Exception {
        try (Stream<Path> s = Files.list(repo.packDirectory())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * At level 6, which libdeflate (or the JDK's zlib) compresses: ISA-L, which takes level 1 where it is installed,
     * does not always give the same bytes for the same input (see IsalCompressor). What this checks is the
     * pipeline's part: the same objects, stored or deflated alike, in the same order.
     */
    @Test
    void samePacksByteForByteWhateverTheNumberOfThreads() throws Exception {
        Path src = mixedTree();
        // The first read of a file moves its atime (relatime), which .bupm records; read everything once first.
        Saver.save(Repository.init(tmp.resolve("warm-up")), request(src), ProgressListener.NONE, 2);
        List<Repository> repos = new ArrayList<>();
        int[] hashers = {1, 4, 4};
        SaveRequest levelSix = new SaveRequest("p", List.of(src), new PathRewrite(true, null, List.of()), DATE, 6,
                List.of("save"));
        for (int i = 0; i < hashers.length; i++) {
            Repository repo = Repository.init(tmp.resolve("repo-" + i));
            Saver.save(repo, levelSix, ProgressListener.NONE, hashers[i]);
            repos.add(repo);
        }
        List<String> names = packNames(repos.getFirst());
        assertTrue(names.stream().anyMatch(n -> n.endsWith(".pack")), names.toString());
        for (Repository repo : repos.subList(1, repos.size())) {
            assertEquals(names, packNames(repo));
            for (String n : names) {
                assertArrayEquals(Files.readAllBytes(repos.getFirst().packDirectory().resolve(n)),
                        Files.readAllBytes(repo.packDirectory().resolve(n)), n);
            }
        }
        Bup.assertFsckClean(repos.getLast().directory());
    }

    /**
     * Files are read in 1 MiB blocks, bup in 8 MiB reads, and bup's cuts depend on where its reads end. With blocks
     * barely larger than bup's largest chunk (so reads span many blocks, and some must be gathered), a save still
     * gives every file bup's ids.
     */
    @Test
    void filesGetBupsIdsWhateverTheBlockSize() throws Exception {
        Bup.assumeInstalled();
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.write(src.resolve("adversarial-1"), TestData.adversarial(21, 18 << 20));
        Files.write(src.resolve("adversarial-2"), TestData.adversarial(22, 9 << 20));
        Files.write(src.resolve("zeros"), new byte[(9 << 20) + 5]);
        java.util.Random rnd = new java.util.Random(8);
        for (int f = 0; f < 3; f++) {
            Files.write(src.resolve("periodic-" + f), TestData.periodicStretches(rnd, (8 << 20) + rnd.nextInt(2 << 20)));
        }
        Files.writeString(src.resolve("small"), "small\n");
        Bup bup = new Bup(tmp.resolve("bup"));
        bup.run("init");
        bup.run("index", src.toString());
        bup.run("save", "-n", "t", src.toString());
        Repository repo = Repository.init(tmp.resolve("ours"));
        List<String> out = Exec.run(null, java.util.Map.of(), ChildJvm.command(List.of("-Dburrow.save.blockBytes=40000"),
                SaveMain.class, List.of(repo.directory().toString(), "t", src.toString())).command()).out().lines()
                .toList();
        assertTrue(out.stream().anyMatch(l -> l.startsWith("done ")), String.join("\n", out));
        Bup ours = new Bup(repo.directory());
        assertEquals(fileLeaves(bup), fileLeaves(ours));
    }

    /** Every file's mode, id and path below src in branch t (bup keeps the path above, we strip it), .bupm left out. */
    private static String fileLeaves(Bup repo) {
        return repo.git("ls-tree", "-r", "--full-tree", "t").out().lines()
                .filter(l -> !l.contains(".bupm"))
                .map(l -> l.replaceFirst("\t(.*/)?src/", "\t"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void storedAndDeflatedChunksReadBackIdentically() throws Exception {
        Bup.assumeInstalled();
        Path src = mixedTree();
        Repository repo = Repository.init(tmp.resolve("repo"));
        SaveResult r = Saver.save(repo, request(src), ProgressListener.NONE);
        assertEquals(0, r.skipped());
        Bup.assertFsckClean(repo.directory());
        Path out = Files.createDirectories(tmp.resolve("out"));
        new Bup(repo.directory()).run("restore", "-C", out.toString(), "/p/latest/.");
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
        // The random data is stored, not deflated: the pack is barely larger than the incompressible input,
        // and much smaller than all the input, so the text was deflated.
        long pack = 0;
        for (String n : packNames(repo)) {
            pack += Files.size(repo.packDirectory().resolve(n));
        }
        assertTrue(pack < r.newBytes(), "pack " + pack + " of " + r.newBytes() + " new bytes");
    }

    @Test
    void aFileNamedBupmBesideALongBupmStreamLeavesTheMetadataReadableByBup() throws Exception {
        Bup.assumeInstalled();
        Path src = Files.createDirectories(tmp.resolve("src"));
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 1500; i++) {
            String name = "f" + Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36);
            Path f = src.resolve(name);
            Files.writeString(f, name);
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L + i * 1000L));
        }
        Path bupm = src.resolve(".bupm");
        Files.writeString(bupm, "a user's file called .bupm\n");
        Files.setLastModifiedTime(bupm, java.nio.file.attribute.FileTime.fromMillis(1_234_567_000_000L));
        Repository repo = Repository.init(tmp.resolve("repo"));
        Saver.save(repo, request(src), ProgressListener.NONE);
        Bup bup = new Bup(repo.directory());
        // The 1500 entries make a stream bup would chunk into a tree; it must stay a blob to sort before .bupm.bupl.
        assertTrue(bup.git("ls-tree", "p").out().lines().anyMatch(l -> l.startsWith("100644 blob ") && l.endsWith("\t.bupm")),
                bup.git("ls-tree", "p").out().lines().filter(l -> l.contains(".bupm")).toList().toString());
        Path out = Files.createDirectories(tmp.resolve("out"));
        bup.run("restore", "-C", out.toString(), "/p/latest/.");
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
    }

    @Test
    void incompressibleChunksAreRecognisedByTheirBytes() throws Exception {
        try (var inserterRepo = Repository.init(tmp.resolve("repo")).newInserter()) {
            ChunkHasher h = new ChunkHasher(inserterRepo, 1);
            byte[] random = TestData.random(5, 8192);
            byte[] text = "the quick brown fox jumps over the lazy dog, and again; ".repeat(200)
                    .getBytes(StandardCharsets.US_ASCII);
            assertTrue(h.looksIncompressible(random, 0, random.length));
            assertTrue(!h.looksIncompressible(text, 0, text.length));
            assertTrue(!h.looksIncompressible(new byte[8192], 0, 8192));
            h.end();
        }
    }

    @Test
    void interruptingTheCallerStopsEveryStageAndLeavesTheRepositoryAsItWas() throws Exception {
        Path src = mixedTree();
        Repository repo = Repository.init(tmp.resolve("repo"));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().unstarted(() -> {
            try {
                Saver.save(repo, request(src), new ProgressListener() {
                    @Override
                    public void progress(long bytes, long files) {
                        if (bytes > (4 << 20)) {
                            callerThread().interrupt();
                        }
                    }
                });
                outcome.set(new AssertionError("the save was not interrupted"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        CALLER.set(caller);
        caller.start();
        caller.join(60_000);
        assertTrue(!caller.isAlive(), "the save did not stop");
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("burrow-save-")).map(Thread::getName).toList());
        assertEquals(Optional.empty(), repo.readRef("refs/heads/p"));
        assertEquals(List.of(), packNames(repo));
        try (Stream<Path> s = Files.list(repo.directory().resolve("objects"))) {
            assertEquals(List.of("info", "pack"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static final AtomicReference<Thread> CALLER = new AtomicReference<>();

    private static Thread callerThread() {
        return CALLER.get();
    }

    @Test
    void selfLinkIsSavedAsASymlinkAndAMissingSourceFailsBeforeWriting() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("ok"), "fine\n");
        Repository repo = Repository.init(tmp.resolve("repo"));
        List<String> warnings = new ArrayList<>();
        Files.createSymbolicLink(src.resolve("loop"), src.resolve("loop"));
        SaveResult r = Saver.save(repo, request(src), new ProgressListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        assertEquals(0, r.skipped(), warnings.toString());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> Saver.save(repo, request(tmp.resolve("gone")), ProgressListener.NONE));
    }
}
