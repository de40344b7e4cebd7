package dev.burrow.core.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIndexTest {
    /** An old time, far from any racy-time limit. */
    static final long T = 1_600_000_000_123_456_789L;
    static final int BLOB = 0100644;
    static final int TREE = 040000;

    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] id(int seed) {
        byte[] id = new byte[20];
        for (int i = 0; i < 20; i++) {
            id[i] = (byte) (seed * 31 + i + 1);
        }
        return id;
    }

    /** A fingerprint: dev ino nlink ctime mtime size. */
    record Stat(long dev, long ino, long nlink, long ctime, long mtime, long size) {
        static Stat of(int n) {
            return new Stat(2049, 1000 + n, 1, T + n, T - n, 100 + n);
        }
    }

    static void add(FileIndex.Recorder r, byte[] path, Stat s, int mode, byte[] id) throws IOException {
        r.add(path, 0, path.length, s.dev, s.ino, s.nlink, s.ctime, s.mtime, s.size, mode, id, 0);
    }

    static int lookup(FileIndex idx, byte[] path, Stat s, byte[] out) {
        return idx.lookup(path, 0, path.length, s.dev, s.ino, s.nlink, s.ctime, s.mtime, s.size, out, 0);
    }

    private Path file() {
        return tmp.resolve("repo/burrow-index/x");
    }

    private void commit(Object... pathStatModeId) throws IOException {
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            for (int i = 0; i < pathStatModeId.length; i += 4) {
                add(r, (byte[]) pathStatModeId[i], (Stat) pathStatModeId[i + 1], (Integer) pathStatModeId[i + 2],
                        (byte[]) pathStatModeId[i + 3]);
            }
            r.commit();
        }
    }

    @Test
    void absentFileIsAnEmptyIndex() throws IOException {
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(0, idx.size());
            assertEquals(-1, lookup(idx, b("/a"), Stat.of(1), new byte[20]));
        }
    }

    @Test
    void committedEntryIsFoundWithItsModeAndId() throws IOException {
        commit(b("/src/a"), Stat.of(1), BLOB, id(1), b("/src"), Stat.of(2), TREE, id(2));
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(2, idx.size());
            byte[] out = new byte[25];
            assertEquals(BLOB, idx.lookup(b("x/src/a"), 1, 6, 2049, 1001, 1, T + 1, T - 1, 101, out, 5));
            assertArrayEquals(id(1), Arrays.copyOfRange(out, 5, 25));
            assertEquals(TREE, lookup(idx, b("/src"), Stat.of(2), out));
            assertArrayEquals(id(2), Arrays.copyOf(out, 20));
        }
    }

    @Test
    void chattrFlagsOfAPlainFileComeBackWithAHitAndSurviveALaterMerge() throws IOException {
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            Stat p = Stat.of(1);
            Stat q = Stat.of(2);
            Stat z = Stat.of(3);
            r.add(b("/src/plain"), 0, 10, p.dev, p.ino, p.nlink, p.ctime, p.mtime, p.size, BLOB, id(1), 0, 0x80080000L);
            r.add(b("/src/xattr"), 0, 10, q.dev, q.ino, q.nlink, q.ctime, q.mtime, q.size, BLOB, id(2), 0,
                    FileIndex.NO_ATTR);
            r.add(b("/src/zero"), 0, 9, z.dev, z.ino, z.nlink, z.ctime, z.mtime, z.size, BLOB, id(3), 0, 0);
            r.commit();
        }
        // A later save that records something else: the merge copies the old entries' flags along.
        commit(b("/other"), Stat.of(4), BLOB, id(4));
        try (FileIndex idx = FileIndex.open(file())) {
            long[] attr = {42};
            byte[] out = new byte[20];
            Stat p = Stat.of(1);
            assertEquals(BLOB, idx.lookup(b("/src/plain"), 0, 10, p.dev, p.ino, p.nlink, p.ctime, p.mtime, p.size,
                    out, 0, attr));
            assertEquals(0x80080000L, attr[0], "unsigned 32-bit flags");
            Stat q = Stat.of(2);
            assertEquals(BLOB, idx.lookup(b("/src/xattr"), 0, 10, q.dev, q.ino, q.nlink, q.ctime, q.mtime, q.size,
                    out, 0, attr));
            assertEquals(FileIndex.NO_ATTR, attr[0], "a file with xattrs or an ACL has no flags to reuse");
            Stat z = Stat.of(3);
            assertEquals(BLOB, idx.lookup(b("/src/zero"), 0, 9, z.dev, z.ino, z.nlink, z.ctime, z.mtime, z.size,
                    out, 0, attr));
            assertEquals(0, attr[0]);
            attr[0] = 42;
            assertEquals(-1, idx.lookup(b("/src/plain"), 0, 10, p.dev, p.ino, p.nlink, p.ctime + 1, p.mtime, p.size,
                    out, 0, attr));
            assertEquals(42, attr[0], "a miss leaves the output alone");
        }
    }

    /** Walk order (directories after their contents), reversed, and shuffled: the journal sort's three cases. */
    @Test
    void entriesRecordedInAnyOrderAreAllFoundAndTheLastOfAPathWins() throws IOException {
        List<byte[]> walk = new ArrayList<>();
        for (int d = 0; d < 30; d++) {
            for (int f = 0; f < 100; f++) {
                walk.add(b("/src/d" + d + "/f" + f));
            }
            walk.add(b("/src/d" + d));
            walk.add(b("/src/d" + d + "-x"));
        }
        walk.add(b("/src"));
        List<byte[]> reversed = new ArrayList<>(walk);
        Collections.reverse(reversed);
        List<byte[]> shuffled = new ArrayList<>(walk);
        Collections.shuffle(shuffled, new Random(7));
        for (List<byte[]> order : List.of(walk, reversed, shuffled)) {
            Files.deleteIfExists(file());
            try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
                for (int i = 0; i < order.size(); i++) {
                    add(r, order.get(i), Stat.of(i), BLOB, id(i));
                }
                // Recorded again later with another id: the later entry wins.
                add(r, order.get(5), Stat.of(5), BLOB, id(99_999));
                r.commit();
            }
            try (FileIndex idx = FileIndex.open(file())) {
                assertEquals(order.size(), idx.size());
                byte[] out = new byte[20];
                for (int i = 0; i < order.size(); i++) {
                    assertEquals(BLOB, lookup(idx, order.get(i), Stat.of(i), out), new String(order.get(i)));
                    assertArrayEquals(id(i == 5 ? 99_999 : i), out);
                }
            }
        }
    }

    @Test
    void eachChangedStatFieldIsAMiss() throws IOException {
        Stat s = Stat.of(7);
        commit(b("/f"), s, BLOB, id(7));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(BLOB, lookup(idx, b("/f"), s, out));
            List<Stat> changed = List.of(
                    new Stat(s.dev + 1, s.ino, s.nlink, s.ctime, s.mtime, s.size),
                    new Stat(s.dev, s.ino + 1, s.nlink, s.ctime, s.mtime, s.size),
                    new Stat(s.dev, s.ino, s.nlink + 1, s.ctime, s.mtime, s.size),
                    new Stat(s.dev, s.ino, s.nlink, s.ctime + 1, s.mtime, s.size),
                    new Stat(s.dev, s.ino, s.nlink, s.ctime, s.mtime + 1, s.size),
                    new Stat(s.dev, s.ino, s.nlink, s.ctime, s.mtime, s.size - 1));
            for (Stat c : changed) {
                byte[] untouched = new byte[20];
                assertEquals(-1, lookup(idx, b("/f"), c, untouched), c.toString());
                assertArrayEquals(new byte[20], untouched);
            }
            assertEquals(-1, lookup(idx, b("/g"), s, out));
            assertEquals(-1, lookup(idx, b("/f/"), s, out));
            assertEquals(-1, lookup(idx, b("/"), s, out));
        }
    }

    @Test
    void timesTooCloseToTheSaveStartNeverMatch() throws IOException {
        long now = System.currentTimeMillis() * 1_000_000L;
        Stat recentMtime = new Stat(1, 1, 1, T, now, 5);
        Stat recentCtime = new Stat(1, 2, 1, now - 500_000_000L, T, 5);
        Stat old = new Stat(1, 3, 1, now - 5_000_000_000L, now - 5_000_000_000L, 5);
        commit(b("/m"), recentMtime, BLOB, id(1), b("/c"), recentCtime, BLOB, id(2), b("/o"), old, BLOB, id(3));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(-1, lookup(idx, b("/m"), recentMtime, out));
            assertEquals(-1, lookup(idx, b("/c"), recentCtime, out));
            assertEquals(BLOB, lookup(idx, b("/o"), old, out));
        }
    }

    @Test
    void zeroIdOrModeIsNeverAHit() throws IOException {
        commit(b("/z"), Stat.of(1), BLOB, new byte[20], b("/m"), Stat.of(2), 0, id(2));
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(-1, lookup(idx, b("/z"), Stat.of(1), new byte[20]));
            assertEquals(-1, lookup(idx, b("/m"), Stat.of(2), new byte[20]));
        }
    }

    @Test
    void nonUtf8PathsAreExactBytes() throws IOException {
        byte[] latin1 = {'/', 'd', '/', (byte) 0xe9, 't', (byte) 0xe9};
        byte[] invalid = {'/', 'd', '/', (byte) 0xff, (byte) 0xfe, (byte) 0x80};
        byte[] replaced = b("/d/\uFFFD\uFFFD\uFFFD");
        commit(latin1, Stat.of(1), BLOB, id(1), invalid, Stat.of(2), BLOB, id(2));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(BLOB, lookup(idx, latin1, Stat.of(1), out));
            assertArrayEquals(id(1), out);
            assertEquals(BLOB, lookup(idx, invalid, Stat.of(2), out));
            assertArrayEquals(id(2), out);
            assertEquals(-1, lookup(idx, replaced, Stat.of(2), out));
        }
    }

    @Test
    void laterSaveReplacesEntriesAndKeepsOthers() throws IOException {
        commit(b("/a"), Stat.of(1), BLOB, id(1), b("/b"), Stat.of(2), BLOB, id(2));
        Stat changed = Stat.of(11);
        commit(b("/a"), changed, BLOB, id(11));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(-1, lookup(idx, b("/a"), Stat.of(1), out));
            assertEquals(BLOB, lookup(idx, b("/a"), changed, out));
            assertArrayEquals(id(11), out);
            assertEquals(BLOB, lookup(idx, b("/b"), Stat.of(2), out));
            assertArrayEquals(id(2), out);
        }
    }

    @Test
    void childrenGoneFromAChangedDirectoryAreDropped() throws IOException {
        commit(b("/s"), Stat.of(1), TREE, id(1),
                b("/s/d"), Stat.of(2), TREE, id(2),
                b("/s/d/gone"), Stat.of(3), BLOB, id(3),
                b("/s/d/gone-dir"), Stat.of(4), TREE, id(4),
                b("/s/d/gone-dir/x"), Stat.of(5), BLOB, id(5),
                b("/s/d/kept"), Stat.of(6), BLOB, id(6),
                b("/s/same"), Stat.of(7), TREE, id(7),
                b("/s/same/child"), Stat.of(8), BLOB, id(8),
                b("/s/d-x"), Stat.of(9), BLOB, id(9));
        // The second save lists /s and /s/d again (their trees changed) and reuses /s/same whole.
        commit(b("/s"), Stat.of(1), TREE, id(21),
                b("/s/d"), Stat.of(2), TREE, id(22),
                b("/s/d/kept"), Stat.of(6), BLOB, id(6),
                b("/s/same"), Stat.of(7), TREE, id(7),
                b("/s/d-x"), Stat.of(9), BLOB, id(9));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(-1, lookup(idx, b("/s/d/gone"), Stat.of(3), out));
            assertEquals(-1, lookup(idx, b("/s/d/gone-dir"), Stat.of(4), out));
            assertEquals(-1, lookup(idx, b("/s/d/gone-dir/x"), Stat.of(5), out));
            assertEquals(BLOB, lookup(idx, b("/s/d/kept"), Stat.of(6), out));
            assertEquals(BLOB, lookup(idx, b("/s/same/child"), Stat.of(8), out));
            assertEquals(TREE, lookup(idx, b("/s/d"), Stat.of(2), out));
            assertArrayEquals(id(22), out);
            assertEquals(6, idx.size());
        }
    }

    @Test
    void abandonedRecorderIsResumedByTheNextOpen() throws IOException {
        commit(b("/old"), Stat.of(1), BLOB, id(1));
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            add(r, b("/new"), Stat.of(2), BLOB, id(2));
            add(r, b("/old"), Stat.of(3), BLOB, id(3));
            r.checkpoint();
        }
        assertTrue(Files.exists(FileIndex.journalFile(file())));
        try (FileIndex idx = FileIndex.open(file())) {
            assertFalse(Files.exists(FileIndex.journalFile(file())), "journal merged at open");
            byte[] out = new byte[20];
            assertEquals(BLOB, lookup(idx, b("/new"), Stat.of(2), out));
            assertArrayEquals(id(2), out);
            assertEquals(BLOB, lookup(idx, b("/old"), Stat.of(3), out));
            assertArrayEquals(id(3), out);
            assertEquals(-1, lookup(idx, b("/old"), Stat.of(1), out));
        }
    }

    /**
     * A save killed after it recorded a changed file but before it recorded the file's directory leaves the
     * directory's old entry, whose fingerprint a file's change does not alter; a save must not reuse that
     * directory's old tree, so the entry never matches again. Its other entries stay.
     */
    @Test
    void directoryWithAnEntryRecordedBelowItByAnInterruptedSaveNeverMatches() throws IOException {
        commit(b("/d"), Stat.of(1), TREE, id(1), b("/d/f"), Stat.of(2), BLOB, id(2), b("/e"), Stat.of(3), TREE,
                id(3));
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            add(r, b("/d/f"), Stat.of(4), BLOB, id(4));
            r.checkpoint();
        }
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            assertEquals(-1, lookup(idx, b("/d"), Stat.of(1), out));
            assertEquals(BLOB, lookup(idx, b("/d/f"), Stat.of(4), out));
            assertEquals(TREE, lookup(idx, b("/e"), Stat.of(3), out), "a directory with nothing new below stays");
        }
    }

    @Test
    void tornJournalTailIsIgnored() throws IOException {
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            add(r, b("/a"), Stat.of(1), BLOB, id(1));
            add(r, b("/b"), Stat.of(2), BLOB, id(2));
        }
        Path journal = FileIndex.journalFile(file());
        byte[] whole = Files.readAllBytes(journal);
        // Cut the last record short, as a kill in the middle of a write would.
        Files.write(journal, Arrays.copyOf(whole, whole.length - 7));
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(1, idx.size());
            assertEquals(BLOB, lookup(idx, b("/a"), Stat.of(1), new byte[20]));
            assertEquals(-1, lookup(idx, b("/b"), Stat.of(2), new byte[20]));
        }
    }

    @Test
    void recordAppendsToAJournalThatCouldNotBeMerged() throws IOException {
        try (FileIndex idx = FileIndex.open(file())) {
            try (FileIndex.Recorder r = idx.record()) {
                add(r, b("/first"), Stat.of(1), BLOB, id(1));
            }
            // The journal is still there (this index was opened before it existed); a new save continues it.
            try (FileIndex.Recorder r = idx.record()) {
                add(r, b("/second"), Stat.of(2), BLOB, id(2));
                r.commit();
            }
        }
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(BLOB, lookup(idx, b("/first"), Stat.of(1), new byte[20]));
            assertEquals(BLOB, lookup(idx, b("/second"), Stat.of(2), new byte[20]));
        }
    }

    @Test
    void secondRecorderIsRefusedWhileOneRuns() throws IOException {
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            IOException e = assertThrows(IOException.class, idx::record);
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            r.commit();
        }
    }

    @Test
    void corruptIndexIsIgnored() throws IOException {
        commit(b("/a"), Stat.of(1), BLOB, id(1));
        byte[] good = Files.readAllBytes(file());
        for (int at : new int[] {0, 20, IndexFile.HEADER + IndexFile.R_ID, good.length - 10, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(file(), bad);
            try (FileIndex idx = FileIndex.open(file())) {
                assertEquals(0, idx.size(), "flipped byte " + at);
                assertEquals(-1, lookup(idx, b("/a"), Stat.of(1), new byte[20]));
            }
        }
        Files.write(file(), Arrays.copyOf(good, good.length - 1));
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(0, idx.size());
        }
        Files.writeString(file(), "BUPI\0\0\0\7 a bup index is not ours");
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(0, idx.size());
        }
    }

    /** Entries a buggy writer could leave, under a checksum that is right: each makes the index be ignored. */
    @Test
    void unsortedOrOutOfRangeEntriesAreIgnoredEvenWithAGoodChecksum() throws IOException {
        commit(b("/a"), Stat.of(1), BLOB, id(1), b("/b"), Stat.of(2), BLOB, id(2), b("/c"), Stat.of(3), BLOB, id(3));
        byte[] good = Files.readAllBytes(file());
        long firstOff = ByteBuffer.wrap(good).getLong(IndexFile.HEADER + IndexFile.R_PATH_OFF);
        long thirdOff = ByteBuffer.wrap(good).getLong(IndexFile.HEADER + 2 * IndexFile.RECORD + IndexFile.R_PATH_OFF);

        byte[] swapped = good.clone();
        ByteBuffer.wrap(swapped).putLong(IndexFile.HEADER + IndexFile.R_PATH_OFF, thirdOff)
                .putLong(IndexFile.HEADER + 2 * IndexFile.RECORD + IndexFile.R_PATH_OFF, firstOff);
        byte[] outside = good.clone();
        ByteBuffer.wrap(outside).putLong(IndexFile.HEADER + IndexFile.RECORD + IndexFile.R_PATH_OFF, 1 << 20);
        for (byte[] bad : List.of(swapped, outside)) {
            CRC32C crc = new CRC32C();
            crc.update(bad, 0, bad.length - 4);
            ByteBuffer.wrap(bad).putInt(bad.length - 4, (int) crc.getValue());
            Files.write(file(), bad);
            try (FileIndex idx = FileIndex.open(file())) {
                assertEquals(0, idx.size());
            }
        }
        Files.write(file(), good);
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(3, idx.size(), "the same bytes with only the changes undone are accepted");
        }
    }

    @Test
    void corruptJournalIsIgnoredAndReplaced() throws IOException {
        commit(b("/a"), Stat.of(1), BLOB, id(1));
        Files.writeString(FileIndex.journalFile(file()), "garbage that is not a journal at all");
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(1, idx.size());
            assertEquals(BLOB, lookup(idx, b("/a"), Stat.of(1), new byte[20]));
            try (FileIndex.Recorder r = idx.record()) {
                add(r, b("/b"), Stat.of(2), BLOB, id(2));
                r.commit();
            }
        }
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(2, idx.size());
        }
    }

    @Test
    void defaultFileDependsOnTheSetOfSources() {
        Path repo = Path.of("/r");
        Path a = FileIndex.defaultFile(repo, List.of(Path.of("/x"), Path.of("/y")));
        assertEquals(a, FileIndex.defaultFile(repo, List.of(Path.of("/y"), Path.of("/x/../x"))));
        assertFalse(a.equals(FileIndex.defaultFile(repo, List.of(Path.of("/x")))));
        assertEquals(repo.resolve("burrow-index"), a.getParent());
        assertEquals(40, a.getFileName().toString().length());
    }

    @Test
    void recordersAndLookupsRunFromManyThreads() throws Exception {
        int perThread = 5000;
        commit(b("/before"), Stat.of(1), BLOB, id(1));
        try (FileIndex idx = FileIndex.open(file()); FileIndex.Recorder r = idx.record()) {
            List<Thread> threads = new java.util.ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            for (int t = 0; t < 4; t++) {
                int base = t * perThread;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        byte[] out = new byte[20];
                        for (int i = base; i < base + perThread; i++) {
                            add(r, FileIndexMain.path(i), FileIndexMain.stat(i, 0), BLOB, FileIndexMain.id(i));
                            if (lookup(idx, b("/before"), Stat.of(1), out) != BLOB) {
                                throw new AssertionError("lookup failed while recording");
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), failures);
            r.commit();
        }
        try (FileIndex idx = FileIndex.open(file())) {
            assertEquals(4 * perThread + 1, idx.size());
            byte[] out = new byte[20];
            for (int i = 0; i < 4 * perThread; i++) {
                assertEquals(BLOB, lookup(idx, FileIndexMain.path(i), FileIndexMain.stat(i, 0), out));
                assertArrayEquals(FileIndexMain.id(i), out);
            }
        }
    }

    @Test
    void killedSaveResumesFromItsLastCheckpoint() throws Exception {
        Process p = ChildJvm.command(List.of("-Xmx64m"), FileIndexMain.class,
                List.of("kill", file().toString(), "20000")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        InputStream in = p.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            assertTrue(c >= 0, "child ended early: " + line);
            line.append((char) c);
        }
        assertEquals("checkpointed", line.toString());
        p.destroyForcibly();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertTrue(Files.exists(FileIndex.journalFile(file())));
        try (FileIndex idx = FileIndex.open(file())) {
            byte[] out = new byte[20];
            for (int i = 0; i < 20000; i++) {
                byte[] path = FileIndexMain.path(i);
                assertEquals(BLOB, lookup(idx, path, FileIndexMain.stat(i, 0), out), () -> new String(path));
                assertArrayEquals(FileIndexMain.id(i), out);
            }
            assertTrue(idx.size() >= 20000, "entries " + idx.size());
        }
    }

    @Test
    void millionEntriesWithA64MiBHeap() throws Exception {
        Process p = ChildJvm.command(List.of("-Xmx64m"), FileIndexMain.class,
                List.of("scale", file().toString(), "1000000")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        System.out.println("FileIndexTest.millionEntriesWithA64MiBHeap: " + out.replace('\n', ' '));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok 1000000"), out);
    }
}
