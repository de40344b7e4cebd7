package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectReaderTest {
    @TempDir
    static Path tmp;
    static BupTool bup;
    static Repository repo;
    static ObjectId tip;

    @BeforeAll
    static void saveSomething() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "hello\n");
        byte[] big = new byte[200_000];
        new Random(7).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        Files.createSymbolicLink(src.resolve("link"), Path.of("hello.txt"));
        bup = BupTool.init(tmp.resolve("repo"));
        bup.save("set", src);
        repo = Repository.open(bup.repo());
        tip = repo.readRef("refs/heads/set").orElseThrow();
    }

    @Test
    void commitParsesLikeGitLog() throws Exception {
        String[] f = bup.git("log", "-1", "--format=%T%n%at%n%ct%n%ai", "set").split("\n");
        try (ObjectReader r = repo.newReader()) {
            assertEquals(ObjectType.COMMIT, r.type(tip));
            Commit c = r.commit(tip);
            assertEquals(ObjectId.fromHex(f[0]), c.tree());
            assertEquals(Long.parseLong(f[1]), c.authorTime());
            assertEquals(Long.parseLong(f[2]), c.committerTime());
            String tz = f[3].substring(f[3].length() - 5);
            int mins = (Integer.parseInt(tz.substring(1, 3)) * 60 + Integer.parseInt(tz.substring(3)))
                    * (tz.charAt(0) == '-' ? -1 : 1);
            assertEquals(mins, c.authorTzOffsetMinutes());
            assertEquals(List.of(), c.parents());
        }
    }

    @Test
    void treeEntriesMatchGitLsTree() throws Exception {
        String src = tmp.resolve("src").toString().substring(1);
        String lsTree = bup.git("ls-tree", "--full-tree", "set:" + src);
        ObjectId treeId = ObjectId.fromHex(bup.git("rev-parse", "set:" + src).trim());
        List<String> expected = new ArrayList<>(List.of(lsTree.split("\n")));
        try (ObjectReader r = repo.newReader()) {
            List<String> actual = new ArrayList<>();
            for (Tree.Entry e : r.tree(treeId)) {
                String mode = String.format("%06o", e.mode());
                String type = e.isTree() ? "tree" : "blob";
                actual.add(mode + " " + type + " " + e.id().name() + "\t" + e.displayName());
            }
            assertEquals(expected, actual);
        }
    }

    @Test
    void blobContentStreamsAndReadsAlike() throws Exception {
        String src = tmp.resolve("src").toString().substring(1);
        ObjectId blob = ObjectId.fromHex(bup.git("rev-parse", "set:" + src + "/hello.txt").trim());
        try (ObjectReader r = repo.newReader(); InputStream in = r.open(blob)) {
            assertTrue(r.has(blob));
            assertEquals(ObjectType.BLOB, r.type(blob));
            assertEquals(6, r.size(blob));
            assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), r.read(blob, ObjectType.BLOB));
            assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
        }
    }

    @Test
    void missingObjectNamesTheId() throws Exception {
        ObjectId absent = ObjectId.fromHex("0123456789abcdef0123456789abcdef01234567");
        try (ObjectReader r = repo.newReader()) {
            assertFalse(r.has(absent));
            MissingObjectException e = assertThrows(MissingObjectException.class, () -> r.type(absent));
            assertEquals(absent, e.id());
            assertTrue(e.getMessage().contains(absent.name()), e.getMessage());
            assertThrows(MissingObjectException.class, () -> r.read(absent, ObjectType.TREE));
            assertThrows(MissingObjectException.class, () -> r.open(absent));
        }
    }

    @Test
    void readWithWrongTypeIsRefused() throws Exception {
        try (ObjectReader r = repo.newReader()) {
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> r.read(tip, ObjectType.TREE));
            assertTrue(e.getMessage().contains("is a commit"), e.getMessage());
        }
    }

    @Test
    void readsDeltifiedPacksAfterGitGc(@TempDir Path other) throws Exception {
        Path src = Files.createDirectories(other.resolve("src"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("line ").append(i).append('\n');
        }
        Files.writeString(src.resolve("a.txt"), text);
        BupTool b = BupTool.init(other.resolve("repo"));
        b.save("s", src);
        Files.writeString(src.resolve("a.txt"), text + "one more line\n");
        b.save("s", src);
        b.git("gc", "--aggressive", "--prune=now", "-q");
        String path = src.toString().substring(1) + "/a.txt";
        ObjectId blob = ObjectId.fromHex(b.git("rev-parse", "s:" + path).trim());
        ObjectId old = ObjectId.fromHex(b.git("rev-parse", "s~1:" + path).trim());
        Repository rp = Repository.open(b.repo());
        try (ObjectReader r = rp.newReader()) {
            assertEquals(text + "one more line\n", new String(r.read(blob, ObjectType.BLOB), StandardCharsets.UTF_8));
            assertEquals(text.toString(), new String(r.read(old, ObjectType.BLOB), StandardCharsets.UTF_8));
        }
        String verify = b.git("verify-pack", "-v", Files.list(b.repo().resolve("objects/pack"))
                .filter(p -> p.toString().endsWith(".idx")).findFirst().orElseThrow().toString());
        assertTrue(verify.contains("chain length"), "expected delta objects after gc:\n" + verify);
    }
}
