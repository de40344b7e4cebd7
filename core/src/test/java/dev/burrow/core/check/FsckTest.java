package dev.burrow.core.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.BupTool;
import dev.burrow.core.store.Repository;

class FsckTest {
    @TempDir
    static Path tmp;
    static BupTool bup;

    @BeforeAll
    static void saveFixture() throws Exception {
        Path src = tmp.resolve("src");
        BupTool.populate(src);
        bup = BupTool.init(tmp.resolve("repo"));
        bup.save("set", src);
        byte[] big = new byte[1 << 20];
        new Random(5).nextBytes(big);
        Files.write(tmp.resolve("big"), big);
        bup.bup("split", "-q", "-n", "split", tmp.resolve("big").toString());
        bup.bup("tag", "t1", "set");
    }

    private static BupTool copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (var walk = Files.walk(bup.repo())) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(bup.repo().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return new BupTool(to);
    }

    private static List<Path> files(BupTool b, String suffix) throws IOException {
        try (var s = Files.list(b.repo().resolve("objects/pack"))) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void bupRepositoryIsClean() throws Exception {
        bup.git("fsck", "--full", "--strict");
        FsckReport r = Fsck.check(Repository.open(bup.repo()), ProgressListener.NONE);
        assertEquals(List.of(), r.problems());
        assertTrue(r.isClean());
        String counts = bup.git("count-objects", "-v");
        long inPack = counts.lines().filter(l -> l.startsWith("in-pack: ")).mapToLong(l -> Long.parseLong(l
                .substring(9))).sum();
        assertEquals(inPack, r.objects());
        assertEquals(files(bup, ".pack").size(), r.packs());
    }

    @Test
    void deltifiedRepositoryAfterGitGcIsClean() throws Exception {
        BupTool b = copy("gc");
        b.git("gc", "--aggressive", "--prune=now", "-q");
        b.git("fsck", "--full");
        FsckReport r = Fsck.check(Repository.open(b.repo()), ProgressListener.NONE);
        assertEquals(List.of(), r.problems());
        assertEquals(1, r.packs());
    }

    @Test
    void flippedPackByteIsReportedWithPackAndObject() throws Exception {
        BupTool b = copy("flipped");
        Path pack = files(b, ".pack").stream().max((x, y) -> Long.compare(x.toFile().length(),
                y.toFile().length())).orElseThrow();
        long at = Files.size(pack) / 2;
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.flip();
            byte v = one.get(0);
            one.put(0, (byte) (v ^ 0x40));
            ch.write(one, at);
        }
        FsckReport r = Fsck.check(Repository.open(b.repo()), ProgressListener.NONE);
        String name = pack.getFileName().toString();
        List<String> all = new ArrayList<>(r.problems());
        assertTrue(all.stream().anyMatch(l -> l.startsWith(name + ": trailer SHA-1")), all.toString());
        assertTrue(all.stream().anyMatch(l -> l.startsWith(name + ": object ") && l.contains(" at offset ")),
                all.toString());
    }

    @Test
    void corruptIdxIsReported() throws Exception {
        BupTool b = copy("badidx");
        Path idx = files(b, ".idx").getFirst();
        byte[] raw = Files.readAllBytes(idx);
        raw[raw.length - 50] ^= 1; // in the offset table, just before the two checksums
        Files.write(idx, raw);
        FsckReport r = Fsck.check(Repository.open(b.repo()), ProgressListener.NONE);
        assertTrue(r.problems().contains(idx.getFileName() + ": idx checksum does not match its content"),
                r.problems().toString());
    }

    @Test
    void missingBlobIsReportedWithTheTreeNamingIt() throws Exception {
        BupTool b = copy("missing");
        String blob = b.git("rev-parse", "split:data.bup").trim(); // the chunk tree
        String chunk = b.git("ls-tree", "-r", blob).lines().findFirst().orElseThrow().split("\\s+")[2];
        // Repack everything except one chunk of the split file, then drop the old packs and bup's caches.
        String all = b.git("rev-list", "--objects", "--all");
        StringBuilder keep = new StringBuilder();
        all.lines().map(l -> l.split(" ")[0]).filter(id -> !id.equals(chunk)).forEach(id -> keep.append(id)
                .append('\n'));
        List<Path> old = new ArrayList<>();
        try (var s = Files.list(b.repo().resolve("objects/pack"))) {
            s.forEach(old::add);
        }
        Process p = new ProcessBuilder("git", "--git-dir=" + b.repo(), "pack-objects", "-q",
                b.repo().resolve("objects/pack/pack").toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(keep.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals(0, p.waitFor());
        for (Path o : old) {
            Files.delete(o);
        }
        FsckReport r = Fsck.check(Repository.open(b.repo()), ProgressListener.NONE);
        assertEquals(1, r.problems().size(), r.problems().toString());
        String line = r.problems().getFirst();
        assertTrue(line.startsWith("missing blob " + chunk + ", named by tree "), line);
        assertTrue(line.endsWith(" (refs/heads/split)"), line);
    }
}
