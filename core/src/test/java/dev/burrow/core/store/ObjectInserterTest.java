package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectInserterTest {
    @TempDir
    Path tmp;

    private static List<Path> packFiles(Repository repo, String glob) throws IOException {
        try (Stream<Path> s = Files.list(repo.packDirectory())) {
            return s.filter(p -> p.getFileName().toString().matches(glob)).toList();
        }
    }

    @Test
    void flushWritesAPackThatGitReadsBack() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        byte[] big = new byte[300_000];
        new Random(1).nextBytes(big);
        ObjectId hello;
        ObjectId bigId;
        try (ObjectInserter ins = repo.newInserter()) {
            hello = ins.insert(ObjectType.BLOB, "hello\n");
            bigId = ins.insert(ObjectType.BLOB, big);
            ins.flush();
        }
        assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", hello.name());
        Bup.assertFsckClean(repo.directory());
        Bup git = new Bup(repo.directory());
        assertEquals("hello\n", git.git("cat-file", "blob", hello.name()).out());
        assertArrayEquals(big, git.git("cat-file", "blob", bigId.name()).stdout());
        assertEquals(1, packFiles(repo, "pack-[0-9a-f]{40}\\.idx").size());
        Exec.ok(null, "git", "verify-pack", packFiles(repo, ".*\\.idx").getFirst().toString());
    }

    @Test
    void packsFinishedInTheBackgroundKeepDeduplicatingAndLandInOrder() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        Random rnd = new Random(3);
        byte[][] blobs = new byte[3][];
        byte[] id = new byte[ObjectId.LENGTH];
        List<String> durable = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ObjectInserter ins = repo.newInserter()) {
            for (int i = 0; i < blobs.length; i++) {
                blobs[i] = new byte[2_000_000];
                rnd.nextBytes(blobs[i]);
                assertTrue(ins.insert(ObjectType.BLOB, blobs[i], 0, blobs[i].length, id, 0));
                // Each pack goes on being finished while the next is written; its objects still count as present.
                int packs = i + 1;
                ins.flushInBackground(() -> durable.add("pack " + packs + ", packs in place: "
                        + packFiles(repo, ".*\\.idx").size()));
                for (int j = 0; j <= i; j++) {
                    assertFalse(ins.insert(ObjectType.BLOB, blobs[j], 0, blobs[j].length, id, 0), "blob " + j);
                }
            }
            ins.flush();
            assertEquals(List.of("pack 1, packs in place: 1", "pack 2, packs in place: 2", "pack 3, packs in place: 3"),
                    durable);
        }
        assertEquals(3, packFiles(repo, ".*\\.pack").size());
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void aFailureOfTheBackgroundFinishingIsThrownByTheNextCall() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        try (ObjectInserter ins = repo.newInserter()) {
            ins.insert(ObjectType.BLOB, "first");
            ins.flushInBackground(() -> {
                throw new IOException("journal device gone");
            });
            ins.insert(ObjectType.BLOB, "second");
            IOException e = assertThrows(IOException.class, ins::flush);
            assertEquals("journal device gone", e.getMessage());
        }
        // The first pack was in place before its action failed; the second was never finished.
        assertEquals(1, packFiles(repo, ".*\\.pack").size());
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void closeWithoutFlushLeavesNoTrace() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        try (ObjectInserter ins = repo.newInserter()) {
            ins.insert(ObjectType.BLOB, "lost");
        }
        assertEquals(List.of(), packFiles(repo, ".*"));
        try (Stream<Path> s = Files.list(repo.directory().resolve("objects"))) {
            assertEquals(List.of("info", "pack"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void objectsAreStoredOnceAcrossInserters() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        byte[] id = new byte[ObjectId.LENGTH];
        byte[] data = "same".getBytes(StandardCharsets.UTF_8);
        try (ObjectInserter ins = repo.newInserter()) {
            assertTrue(ins.insert(ObjectType.BLOB, data, 0, data.length, id, 0));
            assertFalse(ins.insert(ObjectType.BLOB, data, 0, data.length, id, 0));
            ins.flush();
        }
        try (ObjectInserter ins = repo.newInserter()) {
            assertFalse(ins.insert(ObjectType.BLOB, data, 0, data.length, id, 0));
            assertTrue(ins.exists(ObjectId.fromBytes(id, 0)));
            ins.flush();
        }
        assertEquals(1, packFiles(repo, ".*\\.pack").size());
    }

    @Test
    void emptyTreeAndBlobHaveGitsIds() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        try (ObjectInserter ins = repo.newInserter()) {
            assertEquals(ObjectId.EMPTY_BLOB, ins.insert(ObjectType.BLOB, new byte[0]));
            assertEquals(ObjectId.EMPTY_TREE, ins.insert(ObjectType.TREE, new byte[0]));
        }
    }

    @Test
    void refUpdateIsCompareAndSwap() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        ObjectId a = ObjectId.EMPTY_BLOB;
        ObjectId b = ObjectId.EMPTY_TREE;
        repo.updateRef("refs/heads/x", java.util.Optional.empty(), a);
        assertEquals(java.util.Optional.of(a), repo.readRef("refs/heads/x"));
        assertThrows(RefUpdateRejectedException.class,
                () -> repo.updateRef("refs/heads/x", java.util.Optional.empty(), b));
        repo.updateRef("refs/heads/x", java.util.Optional.of(a), b);
        assertEquals(java.util.Optional.of(b), repo.readRef("refs/heads/x"));
        assertFalse(Files.exists(repo.directory().resolve("refs/heads/x.lock")));
    }

    @Test
    void idsMatchGitHashObjectAcrossLengthDigits() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        try (ObjectInserter ins = repo.newInserter()) {
            for (int len : new int[] {1, 9, 10, 99, 100, 999, 1000, 32768, 100_000}) {
                Path f = tmp.resolve("blob-" + len);
                Files.write(f, new byte[len]);
                String expected = Exec.ok(null, "git", "hash-object", f.toString()).out().trim();
                byte[] id = new byte[ObjectId.LENGTH];
                ins.computeId(ObjectType.BLOB, new byte[len], 0, len, id, 0);
                assertEquals(expected, ObjectId.fromBytes(id, 0).name(), "length " + len);
            }
        }
    }
}
