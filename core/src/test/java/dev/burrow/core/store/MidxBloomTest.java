package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** midx and bloom files: read, written, and checked against bup 0.33.7. */
class MidxBloomTest {
    @TempDir
    Path tmp;

    private Path repo;
    private Path packDir;

    @BeforeEach
    void repository() throws IOException {
        repo = Repository.init(tmp.resolve("repo")).directory();
        packDir = repo.resolve("objects/pack");
    }

    private List<Path> files(String regex) throws IOException {
        try (Stream<Path> s = Files.list(packDir)) {
            return s.filter(p -> p.getFileName().toString().matches(regex)).sorted().toList();
        }
    }

    /** Idx fixtures with {@code sizes[i]} ids each, seeds 1, 2, ... */
    private List<Path> idxFiles(int... sizes) throws IOException {
        List<Path> idx = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            idx.add(IdxFixtures.write(packDir, i + 1, sizes[i]));
        }
        return idx;
    }

    /** An idx file's ids, 20 bytes each, as a pack writer hands them over. */
    private static byte[] idsOf(Path idxFile) throws IOException {
        try (PackIndexFile idx = PackIndexFile.open(idxFile)) {
            byte[] ids = new byte[(int) idx.count() * 20];
            for (int i = 0; i < idx.count(); i++) {
                System.arraycopy(IdxFixtures.idAt(idx, i), 0, ids, i * 20, 20);
            }
            return ids;
        }
    }

    /** Asserts every id of every idx in the pack directory is found, and random ids are not. */
    private static void assertAnswers(KnownObjects known, Path packDir) throws IOException {
        try (Stream<Path> s = Files.list(packDir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".idx")).toList()) {
                try (PackIndexFile idx = PackIndexFile.open(p)) {
                    for (long i = 0; i < idx.count(); i++) {
                        assertTrue(known.contains(IdxFixtures.idAt(idx, i), 0), p + " id " + i);
                    }
                }
            }
        }
        Random rnd = new Random(99);
        byte[] id = new byte[20];
        for (int i = 0; i < 2000; i++) {
            rnd.nextBytes(id);
            assertFalse(known.contains(id, 0));
        }
    }

    /** Collects the warnings of a logger while the test runs. */
    private static final class Warnings extends Handler implements AutoCloseable {
        final List<String> messages = new ArrayList<>();
        private final Logger logger;

        Warnings(Class<?> c) {
            logger = Logger.getLogger(c.getName());
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                messages.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void midxIsByteForByteBups() throws Exception {
        Bup.assumeInstalled();
        List<Path> idx = idxFiles(3000, 10, 700, 1);
        Path bups = tmp.resolve("bup.midx");
        List<String> args = new ArrayList<>(List.of("midx", "-o", bups.toString()));
        idx.forEach(p -> args.add(p.toString()));
        new Bup(repo).run(args.toArray(String[]::new));
        Path ours = tmp.resolve("ours.midx");
        assertEquals(3711, MidxWriter.write(ours, idx));
        assertArrayEquals(Files.readAllBytes(bups), Files.readAllBytes(ours));
    }

    @Test
    void midxOfOverlappingIdxAndMidxInputsIsByteForByteBups() throws Exception {
        Bup.assumeInstalled();
        // The same ids in several idx files: the order of equal ids is bup's merge order.
        List<ObjectId> shared = new ArrayList<>();
        Random rnd = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[20];
            rnd.nextBytes(b);
            shared.add(ObjectId.fromBytes(b, 0));
        }
        shared.sort(null);
        Path a = IdxFixtures.write(packDir, 11, shared);
        Path b = IdxFixtures.write(packDir, 12, shared.subList(0, 200));
        Path c = IdxFixtures.write(packDir, 13, shared.subList(100, 300));
        Path d = IdxFixtures.write(packDir, 14, 5000);
        Path inner = packDir.resolve("midx-inner.midx");
        MidxWriter.write(inner, List.of(b, d));
        Path bups = tmp.resolve("bup.midx");
        new Bup(repo).run("midx", "-o", bups.toString(), a.toString(), inner.toString(), c.toString());
        Path ours = tmp.resolve("ours.midx");
        MidxWriter.write(ours, List.of(a, inner, c));
        assertArrayEquals(Files.readAllBytes(bups), Files.readAllBytes(ours));
    }

    @Test
    void autoMidxAndBloomAreByteForByteBups() throws Exception {
        Bup.assumeInstalled();
        idxFiles(5000, 20, 3000, 700, 1200, 90, 4);
        Bup bup = new Bup(repo);
        bup.run("midx", "--auto", "--dir", packDir.toString());
        bup.run("bloom", "--dir", packDir.toString());
        List<Path> bupMidx = files(".*\\.midx");
        assertEquals(1, bupMidx.size());
        byte[] midxBytes = Files.readAllBytes(bupMidx.getFirst());
        byte[] bloomBytes = Files.readAllBytes(packDir.resolve("bup.bloom"));
        var midxMode = Files.getPosixFilePermissions(bupMidx.getFirst());
        var bloomMode = Files.getPosixFilePermissions(packDir.resolve("bup.bloom"));
        Files.delete(bupMidx.getFirst());
        Files.delete(packDir.resolve("bup.bloom"));

        Repository.open(repo).refreshLookupFiles();
        assertEquals(bupMidx, files(".*\\.midx"));
        assertArrayEquals(midxBytes, Files.readAllBytes(bupMidx.getFirst()));
        assertArrayEquals(bloomBytes, Files.readAllBytes(packDir.resolve("bup.bloom")));
        assertEquals(midxMode, Files.getPosixFilePermissions(bupMidx.getFirst()));
        assertEquals(bloomMode, Files.getPosixFilePermissions(packDir.resolve("bup.bloom")));
    }

    @Test
    void bloomGrowsByNewIdxFilesAsBupsDoes() throws Exception {
        Bup.assumeInstalled();
        idxFiles(4000, 300);
        Repository.open(repo).refreshLookupFiles();
        byte[] first = Files.readAllBytes(packDir.resolve("bup.bloom"));
        IdxFixtures.write(packDir, 50, 200);
        IdxFixtures.write(packDir, 51, 10);
        new Bup(repo).run("bloom", "--dir", packDir.toString());
        byte[] bups = Files.readAllBytes(packDir.resolve("bup.bloom"));
        Files.write(packDir.resolve("bup.bloom"), first);
        Repository.open(repo).refreshLookupFiles();
        assertArrayEquals(bups, Files.readAllBytes(packDir.resolve("bup.bloom")));
        assertEquals(4510, BloomFileEntries.of(packDir.resolve("bup.bloom")));
    }

    @Test
    void bloomIsRebuiltBiggerWhenItWouldBeTooFull() throws Exception {
        Bup.assumeInstalled();
        idxFiles(100);
        Repository.open(repo).refreshLookupFiles();
        byte[] small = Files.readAllBytes(packDir.resolve("bup.bloom"));
        IdxFixtures.write(packDir, 60, 20000);
        new Bup(repo).run("bloom", "--dir", packDir.toString());
        byte[] bups = Files.readAllBytes(packDir.resolve("bup.bloom"));
        Files.write(packDir.resolve("bup.bloom"), small);
        Repository.open(repo).refreshLookupFiles();
        assertArrayEquals(bups, Files.readAllBytes(packDir.resolve("bup.bloom")));
        try (BloomFile f = BloomFile.open(packDir.resolve("bup.bloom"))) {
            assertEquals(16, f.bits());   // floor(log2(20100 * 4)): rebuilt for all, not kept at 2^8.
            assertEquals(20100, f.entries());
        }
    }

    /** The entry count of a bloom file. */
    private static final class BloomFileEntries {
        static long of(Path p) throws IOException {
            try (BloomFile f = BloomFile.open(p)) {
                return f.entries();
            }
        }
    }

    @Test
    void burrowsMidxAndBloomPassBupsChecksAndBupSavesThroughThem() throws Exception {
        Bup.assumeInstalled();
        Repository r = Repository.open(repo);
        Random rnd = new Random(3);
        for (int pack = 0; pack < 7; pack++) {
            try (ObjectInserter ins = r.newInserter()) {
                for (int i = 0; i < 200; i++) {
                    byte[] data = new byte[100];
                    rnd.nextBytes(data);
                    ins.insert(ObjectType.BLOB, data);
                }
                ins.flush();
            }
        }
        r.refreshLookupFiles();
        assertEquals(1, files(".*\\.midx").size());
        assertTrue(Files.exists(packDir.resolve("bup.bloom")));
        Bup bup = new Bup(repo);
        Exec.Result check = bup.run("midx", "--check", "-a");
        assertTrue(check.stderr().contains("All tests passed"), check.stderr());
        for (Path idx : files(".*\\.idx")) {
            Exec.Result b = bup.run("bloom", "-c", idx.toString());
            assertTrue(b.stderr().contains("checking") && b.stderr().contains("All tests passed"), b.stderr());
        }
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f"), "through Burrow's lookup files\n");
        bup.run("index", src.toString());
        Exec.Result save = bup.run("save", "-n", "b", src.toString());
        assertFalse(save.stderr().toLowerCase().contains("warning"), save.stderr());
        Exec.Result margin = bup.run("margin");
        assertFalse(margin.stderr().toLowerCase().contains("warning"), margin.stderr());
        Bup.assertFsckClean(repo);
    }

    @Test
    void bupsMidxAndBloomAreRead() throws Exception {
        Bup.assumeInstalled();
        Path data = tmp.resolve("data");
        byte[] bytes = new byte[3_000_000];
        new Random(8).nextBytes(bytes);
        Files.write(data, bytes);
        Bup bup = new Bup(repo);
        bup.run("split", "-n", "s", "--max-pack-objects=40", data.toString());
        assertFalse(files(".*\\.midx").isEmpty(), "bup wrote a midx");
        assertTrue(Files.exists(packDir.resolve("bup.bloom")));
        try (KnownObjects known = KnownObjects.open(packDir)) {
            assertTrue(known.describe().matches("bloom=true midx=[1-9].*"), known.describe());
            assertAnswers(known, packDir);
            assertTrue(known.bloomRejections() > 1900, "bloom rejections " + known.bloomRejections());
        }
    }

    @Test
    void refreshedLookupFilesAreUsedAndAnswerCorrectly() throws Exception {
        idxFiles(5000, 20, 3000, 700, 1200, 90, 4);
        try (KnownObjects known = KnownObjects.open(packDir)) {
            assertEquals("bloom=false midx=0 idx=7 behind-bloom=0", known.describe());
            assertAnswers(known, packDir);
        }
        Repository.open(repo).refreshLookupFiles();
        try (KnownObjects known = KnownObjects.open(packDir)) {
            assertEquals("bloom=true midx=1 idx=1 behind-bloom=2", known.describe());
            assertAnswers(known, packDir);
            assertEquals(2000, known.bloomRejections(), "random ids end in the bloom filter");
        }
    }

    @Test
    void packsAddedAfterOpeningAreFoundDespiteTheBloom() throws Exception {
        idxFiles(500, 600);
        Repository.open(repo).refreshLookupFiles();
        try (KnownObjects known = KnownObjects.open(packDir)) {
            Path later = IdxFixtures.write(packDir, 77, 300);
            known.addPack(later, idsOf(later), 300);
            assertEquals("bloom=true midx=0 idx=3 behind-bloom=2", known.describe());
            assertAnswers(known, packDir);
            // Random ids and those of the two packs that were there before end in the session filter.
            assertEquals(2000 + 500 + 600, known.sessionRejections());
        }
        IdxFixtures.write(packDir, 78, 30);   // Neither is in the bloom filter when opened.
        try (KnownObjects known = KnownObjects.open(packDir)) {
            assertEquals("bloom=true midx=0 idx=4 behind-bloom=2", known.describe());
            assertAnswers(known, packDir);
        }
    }

    @Test
    void midxWithADeletedIdxIsIgnored() throws Exception {
        List<Path> idx = idxFiles(400, 500, 600);
        Path midx = packDir.resolve("midx-x.midx");
        MidxWriter.write(midx, idx);
        Files.delete(idx.get(1));
        try (Warnings w = new Warnings(KnownObjects.class); KnownObjects known = KnownObjects.open(packDir)) {
            assertEquals("bloom=false midx=0 idx=2 behind-bloom=0", known.describe());
            assertAnswers(known, packDir);
            try (PackIndexFile gone = PackIndexFile.open(idx.get(0))) {
                assertNotNull(gone);
            }
            assertTrue(w.messages.stream().anyMatch(m -> m.contains("does not exist")), w.messages.toString());
        }
        MidxWriter.auto(packDir);
        assertFalse(Files.exists(midx), "midx --auto removes a midx whose idx is gone, as bup does");
    }

    @Test
    void damagedMidxIsIgnoredWithAWarning() throws Exception {
        List<Path> idx = idxFiles(3000, 500);
        Path midx = packDir.resolve("midx-x.midx");
        MidxWriter.write(midx, idx);
        byte[] good = Files.readAllBytes(midx);
        List<byte[]> damaged = new ArrayList<>();
        damaged.add(java.util.Arrays.copyOf(good, good.length - 100));       // Truncated.
        byte[] v3 = good.clone();
        v3[7] = 3;                                                          // Another version.
        damaged.add(v3);
        byte[] fanout = good.clone();
        fanout[12 + 4 * 3 + 1] = (byte) 0xff;                               // Fanout goes down.
        damaged.add(fanout);
        byte[] ids = good.clone();
        int shaStart = 12 + 4 * (1 << MidxWriter.bits(3500));
        java.util.Arrays.fill(ids, shaStart, shaStart + 20 * 3500, (byte) 0);         // Ids wiped.
        damaged.add(ids);
        damaged.add("MIDX".getBytes(StandardCharsets.US_ASCII));
        for (byte[] bad : damaged) {
            Files.write(midx, bad);
            try (Warnings w = new Warnings(KnownObjects.class); KnownObjects known = KnownObjects.open(packDir)) {
                assertEquals("bloom=false midx=0 idx=2 behind-bloom=0", known.describe());
                assertAnswers(known, packDir);
                assertEquals(1, w.messages.size(), w.messages.toString());
            }
        }
    }

    @Test
    void damagedOrForeignBloomIsIgnoredWithAWarning() throws Exception {
        idxFiles(3000, 500);
        Repository.open(repo).refreshLookupFiles();
        Path bloom = packDir.resolve("bup.bloom");
        byte[] good = Files.readAllBytes(bloom);
        List<byte[]> damaged = new ArrayList<>();
        byte[] ruined = good.clone();
        java.util.Arrays.fill(ruined, 16, ruined.length - 200, (byte) 0);   // What bup bloom --ruin does.
        damaged.add(ruined);
        byte[] v3 = good.clone();
        v3[7] = 3;
        damaged.add(v3);
        damaged.add(java.util.Arrays.copyOf(good, 4000));
        byte[] tooFew = good.clone();
        tooFew[15] = 1;
        tooFew[14] = 0;
        tooFew[13] = 0;
        tooFew[12] = 0;                                                     // Counts fewer entries than its idx.
        damaged.add(tooFew);
        byte[] k9 = good.clone();
        k9[11] = 9;
        damaged.add(k9);
        for (byte[] bad : damaged) {
            Files.write(bloom, bad);
            try (Warnings w = new Warnings(KnownObjects.class); KnownObjects known = KnownObjects.open(packDir)) {
                assertEquals("bloom=false midx=0 idx=2 behind-bloom=0", known.describe());
                assertAnswers(known, packDir);
                assertEquals(1, w.messages.size(), w.messages.toString());
            }
        }
        Files.write(bloom, ruined);
        BloomWriter.update(packDir);   // Nothing new to add, so bup would keep the ruined filter...
        IdxFixtures.write(packDir, 40, 10);
        BloomWriter.update(packDir);   // ...but adding to it, Burrow notices and rebuilds it.
        try (KnownObjects known = KnownObjects.open(packDir)) {
            assertEquals("bloom=true midx=0 idx=3 behind-bloom=3", known.describe());
            assertAnswers(known, packDir);
        }
    }

    @Test
    void lookupsFromManyThreadsAgree() throws Exception {
        idxFiles(20000, 3000, 500, 100, 100, 100, 50);
        Repository.open(repo).refreshLookupFiles();
        try (KnownObjects known = KnownObjects.open(packDir)) {
            List<PackIndexFile> idx = new ArrayList<>();
            for (Path p : files(".*\\.idx")) {
                idx.add(PackIndexFile.open(p));
            }
            try {
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < 4; t++) {
                    int seed = t;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            Random rnd = new Random(seed);
                            byte[] absent = new byte[20];
                            for (int i = 0; i < 50_000; i++) {
                                PackIndexFile f = idx.get(rnd.nextInt(idx.size()));
                                byte[] id = IdxFixtures.idAt(f, rnd.nextLong(f.count()));
                                if (!known.contains(id, 0)) {
                                    throw new AssertionError("missed an id of " + f.path());
                                }
                                rnd.nextBytes(absent);
                                if (known.contains(absent, 0)) {
                                    throw new AssertionError("found a random id");
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
            } finally {
                idx.forEach(PackIndexFile::close);
            }
        }
    }

    @Test
    void millionObjectsAreLookedUpWithA64MiBHeap() throws Exception {
        for (int i = 0; i < 10; i++) {
            IdxFixtures.write(packDir, 1000 + i, 100_000);
        }
        Process p = ChildJvm.command(List.of("-Xmx64m"), LookupScaleMain.class, List.of(packDir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        System.out.println("MidxBloomTest.millionObjectsAreLookedUpWithA64MiBHeap: " + out.replace('\n', ' '));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok"), out);
    }
}
