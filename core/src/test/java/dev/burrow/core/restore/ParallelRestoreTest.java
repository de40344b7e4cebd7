package dev.burrow.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.backup.PathRewrite;
import dev.burrow.core.backup.SaveRequest;
import dev.burrow.core.backup.Saver;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.Exec;
import dev.burrow.core.testing.RestoreMain;
import dev.burrow.core.testing.SampleTree;
import dev.burrow.core.testing.TreeDescription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pack-order, parallel content path of {@link Restorer}: many files over several work segments, blobs
 * shared between files, a large file with a small heap, packs with deltas after {@code git gc}, and a
 * damaged blob.
 */
class ParallelRestoreTest {
    @TempDir
    Path tmp;

    private static void save(Repository repo, String name, Path src) throws Exception {
        Saver.save(repo, new SaveRequest(name, List.of(src), new PathRewrite(true, null, List.of()), ZonedDateTime.now(),
                1, List.of("save", "-n", name)), ProgressListener.NONE);
    }

    private static String describe(Path root) throws IOException {
        return TreeDescription.of(root, TreeDescription.Options.ALL);
    }

    @Test
    void manyFilesOverSeveralSegmentsWithSharedBlobsRestoreIdentically() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        int files = ContentWriter.MAX_FILES + 1500;
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < files; i++) {
            Path dir = Files.createDirectories(src.resolve("d" + (i % 23)));
            String text = i % 5 == 0 ? "the same content in many files\n"      // one blob, many targets
                    : i % 97 == 0 ? ""                                          // empty
                    : "file " + i + " " + Long.toHexString(rnd.nextLong()) + "\n".repeat(i % 300);
            Files.writeString(dir.resolve("f" + i + ".txt"), text);
        }
        byte[] big = new byte[3 << 20];
        new java.util.Random(3).nextBytes(big);
        Files.write(src.resolve("d1/big.bin"), big);                             // chunked, and a copy of it
        Files.write(src.resolve("d2/big-copy.bin"), big);
        Files.setLastModifiedTime(src.resolve("d3"), FileTime.from(Instant.ofEpochSecond(1_500_000_000, 5)));
        Files.setPosixFilePermissions(src.resolve("d4"), PosixFilePermissions.fromString("r-xr-x---"));
        try {
            Repository repo = Repository.init(tmp.resolve("repo"));
            save(repo, "many", src);
            Path out = tmp.resolve("out");
            RestoreResult r = Restorer.restore(repo, List.of("/many/latest/."), out, RestoreOptions.defaults(),
                    ProgressListener.NONE);
            assertEquals(0, r.warnings());
            assertEquals(describe(src), describe(out));
            assertEquals(files + 2 + 23, r.files());
            Files.setPosixFilePermissions(out.resolve("d4"), PosixFilePermissions.fromString("rwx------"));
        } finally {
            Files.setPosixFilePermissions(src.resolve("d4"), PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void largeFileRestoresWithA64MiBHeap() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path file = src.resolve("disk.img");
        long size = 300L << 20;
        // Random MiBs between runs of zeros: many distinct chunks, and one zero chunk used thousands of times.
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] buf = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                if ((done >> 20) % 3 == 2) {
                    java.util.Arrays.fill(buf, (byte) 0);
                } else {
                    for (int i = 0; i < buf.length; i += 8) {
                        long v = rnd.nextLong();
                        for (int k = 0; k < 8; k++) {
                            buf[i + k] = (byte) (v >>> (8 * k));
                        }
                    }
                }
                o.write(buf);
            }
        }
        String want = sha1(file);
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "big", src);
        Files.delete(file);

        Path out = tmp.resolve("out");
        Process p = ChildJvm.start(List.of("-Xmx64m"), RestoreMain.class,
                List.of(repo.directory().toString(), "/big/latest/.", out.toString()));
        String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "restore did not finish");
        System.out.println(getClass().getSimpleName() + ": " + result.replace('\n', ' '));
        assertEquals(0, p.exitValue(), result);
        assertTrue(result.startsWith("done 1 " + size + " 0\n"), result);
        assertEquals(want, sha1(out.resolve("disk.img")));
    }

    @Test
    void repositoryWithDeltasAfterGitGcRestores() throws Exception {
        Path src = tmp.resolve("src");
        SampleTree.create(src, 1 << 20);
        // Versions of a text that differ by a line: git gc --aggressive stores most of them as deltas.
        Path versions = Files.createDirectories(src.resolve("versions"));
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < 400; line++) {
            text.append("line ").append(line).append(" of a document that keeps growing a little\n");
        }
        for (int v = 0; v < 30; v++) {
            text.append("appended in version ").append(v).append('\n');
            Files.writeString(versions.resolve("v" + v + ".txt"), text);
        }
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "gc", src);
        Bup git = new Bup(repo.directory());
        git.git("gc", "--aggressive", "--prune=now");
        String packs = git.git("count-objects", "-v").out();
        assertTrue(packs.contains("count: 0"), "git gc left loose objects: " + packs);
        long deltas = 0;
        try (var idx = Files.newDirectoryStream(repo.packDirectory(), "*.idx")) {
            for (Path i : idx) {
                deltas += git.git("verify-pack", "-v", i.toString()).out().lines()
                        .filter(l -> l.matches("[0-9a-f]{40} blob .* [0-9a-f]{40}")).count();
            }
        }
        assertTrue(deltas >= 20, "expected blobs stored as deltas after git gc, found " + deltas);

        Path out = tmp.resolve("out");
        RestoreResult r = Restorer.restore(repo, List.of("/gc/latest/."), out, RestoreOptions.defaults(),
                ProgressListener.NONE);
        assertEquals(0, r.warnings());
        assertEquals(describe(src), describe(out));
    }

    @Test
    void damagedBlobFailsTheRestoreNamingTheFile() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("fine.txt"), "fine\n");
        Files.writeString(src.resolve("victim.txt"), "some text that compresses well. ".repeat(300));
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "bad", src);
        String blob = Exec.ok(null, "git", "hash-object", src.resolve("victim.txt").toString()).out().trim();
        Path idx;
        try (var s = Files.newDirectoryStream(repo.packDirectory(), "*.idx")) {
            idx = s.iterator().next();
        }
        Bup git = new Bup(repo.directory());
        String line = git.git("verify-pack", "-v", idx.toString()).out().lines().filter(l -> l.startsWith(blob))
                .findFirst().orElseThrow();
        String[] f = line.trim().split("\\s+");   // id type size size-in-pack offset
        long inPack = Long.parseLong(f[3]);
        long offset = Long.parseLong(f[4]);
        Path pack = Path.of(idx.toString().replace(".idx", ".pack"));
        pack.toFile().setWritable(true);
        try (RandomAccessFile raf = new RandomAccessFile(pack.toFile(), "rw")) {
            long at = offset + inPack / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x55);
        }
        IOException e = assertThrows(IOException.class, () -> Restorer.restore(repo, List.of("/bad/latest/."),
                tmp.resolve("out"), RestoreOptions.defaults(), ProgressListener.NONE));
        assertTrue(e.getMessage().contains("victim.txt"), e.getMessage());
    }

    @Test
    void bupWrittenRepositoryWithManyFilesRestoresIdentically() throws Exception {
        Bup.assumeInstalled();
        Path src = tmp.resolve("src");
        SampleTree.create(src, 2 << 20);
        Bup bup = new Bup(tmp.resolve("repo"));
        Exec.run(null, Map.of(), List.of("bup", "-d", tmp.resolve("repo").toString(), "init")).check(List.of("init"));
        bup.run("index", src.toString());
        bup.run("save", "-n", "b", "--strip", src.toString());
        Path out = tmp.resolve("out");
        RestoreResult r = Restorer.restore(Repository.open(tmp.resolve("repo")), List.of("/b/latest/."), out,
                RestoreOptions.defaults(), ProgressListener.NONE);
        assertEquals(0, r.warnings());
        assertEquals(describe(src), describe(out));
    }

    @Test
    void interruptWhileContentIsWrittenStopsTheRestoreAndItsThreads() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        byte[] data = new byte[24 << 20];
        new java.util.Random(5).nextBytes(data);
        Files.write(src.resolve("a.bin"), data);
        for (int i = 0; i < 300; i++) {
            Files.writeString(src.resolve("small-" + i + ".txt"), "small " + i + "\n");
        }
        Repository repo = Repository.init(tmp.resolve("repo"));
        save(repo, "int", src);

        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        ProgressListener slow = new ProgressListener() {
            @Override
            public void progress(long bytesDone, long filesDone) {
                if (bytesDone > 0) {
                    writing.countDown();
                    try {
                        Thread.sleep(5);   // keep the content phase going until the interrupt lands
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        java.util.concurrent.atomic.AtomicReference<String> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                Restorer.restore(repo, List.of("/int/latest/."), tmp.resolve("out"), RestoreOptions.defaults(), slow);
                outcome.set("finished");
            } catch (InterruptedException e) {
                outcome.set("interrupted");
            } catch (Exception e) {
                outcome.set(e.toString());
            }
        });
        runner.start();
        assertTrue(writing.await(1, TimeUnit.MINUTES), "no content was written");
        runner.interrupt();
        runner.join(TimeUnit.MINUTES.toMillis(1));
        assertEquals("interrupted", outcome.get());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("burrow-restore")), "restore threads still run");
    }

    private static String sha1(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = new byte[1 << 20];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
