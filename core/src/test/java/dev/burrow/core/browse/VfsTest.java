package dev.burrow.core.browse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.BupTool;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.Repository;

class VfsTest {
    @TempDir
    static Path tmp;
    static BupTool bup;
    static Path src;
    static String srcVfs;
    static ObjectReader reader;
    static Vfs vfs;

    @BeforeAll
    static void saveFixture() throws Exception {
        src = tmp.resolve("src");
        BupTool.populate(src);
        bup = BupTool.init(tmp.resolve("repo"));
        bup.save("set", src);
        bup.save("other", src.resolve("sub"));
        // Three saves in the same second get -0, -1, -2; one more in another second stands alone.
        bup.save("dup", src.resolve("sub"), "-d", "1700000000");
        bup.save("dup", src.resolve("sub"), "-d", "1700000000");
        bup.save("dup", src.resolve("sub"), "-d", "1700000000");
        bup.save("dup", src.resolve("sub"), "-d", "1700000100");
        bup.bup("tag", "v1", "other");
        bup.git("fsck", "--full");
        srcVfs = "/set/latest" + src;
        reader = Repository.open(bup.repo()).newReader();
        vfs = new Vfs(Repository.open(bup.repo()), reader);
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    private static List<String> names(List<VfsNode> nodes) {
        return nodes.stream().map(VfsNode::displayName).toList();
    }

    private static List<String> lines(String out) {
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Test
    void rootListsTagDirectoryAndBackupSets() throws Exception {
        assertEquals(lines(bup.bup("ls", "-A", "/")), names(vfs.list(vfs.root())));
        assertEquals(List.of(".tag", "dup", "other", "set"), names(vfs.list(vfs.resolve("/"))));
    }

    @Test
    void snapshotNamesMatchBupLsIncludingDuplicateSuffixes() throws Exception {
        for (String set : List.of("/set", "/dup")) {
            assertEquals(lines(bup.bup("ls", "-A", set)), names(vfs.list(vfs.resolve(set))), set);
        }
        String second = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss")
                .format(Instant.ofEpochSecond(1700000000).atZone(ZoneId.systemDefault()));
        List<String> dup = names(vfs.list(vfs.resolve("/dup")));
        assertTrue(dup.containsAll(List.of(second + "-0", second + "-1", second + "-2", "latest")), dup.toString());
        VfsNode latest = vfs.resolve("/dup/latest");
        assertEquals(VfsNode.Kind.SNAPSHOT, latest.kind());
        assertEquals(bup.git("rev-parse", "dup").trim(), latest.commitId().name());
        assertEquals(vfs.resolve("/dup/" + latest.snapshotName()).commitId(), latest.commitId());
    }

    @Test
    void newestOfSameSecondSnapshotsGetsTheLargestSuffix() {
        assertEquals(List.of("a-2", "a-1", "a-0", "b", "c-1", "c-0"),
                Vfs.suffixDuplicates(List.of("a", "a", "a", "b", "c", "c")));
        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add("x");
        }
        assertEquals("x-10", Vfs.suffixDuplicates(eleven).getFirst());
        assertEquals("x-00", Vfs.suffixDuplicates(eleven).getLast());
    }

    @Test
    void directoryListingsMatchBupLsLong() throws Exception {
        for (String dir : List.of(srcVfs, srcVfs + "/sub", srcVfs + "/sub/deeper", srcVfs + "/emptydir",
                "/set/latest" + src.getParent(), "/other/latest" + src.resolve("sub"))) {
            List<String> ours = new ArrayList<>();
            for (VfsNode n : vfs.list(vfs.resolve(dir))) {
                ours.add(lsLine(n));
            }
            assertEquals(lines(bup.bup("ls", "-lA", dir)), ours, dir);
        }
    }

    /** bup's {@code metadata.summary_bytes}: {@code %-10s %-11s %11s %16s %s}. */
    private static String lsLine(VfsNode n) throws Exception {
        Metadata m = vfs.metadata(n);
        String mtime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.ofEpochSecond(
                Math.floorDiv(m.mtimeNanos(), 1_000_000_000L)).atZone(ZoneId.systemDefault()));
        String name = n.displayName();
        if (n.kind() == VfsNode.Kind.SYMLINK) {
            name += " -> " + new String(n.symlinkTarget(), StandardCharsets.UTF_8);
        }
        return String.format("%-10s %-11s %11s %16s %s", modeString(n.mode()), m.user() + "/" + m.group(),
                n.size(), mtime, name);
    }

    private static String modeString(int mode) {
        char type = switch (mode & 0170000) {
            case 0040000 -> 'd';
            case 0120000 -> 'l';
            case 0010000 -> 'p';
            case 0140000 -> 's';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            default -> '-';
        };
        StringBuilder s = new StringBuilder().append(type);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return s.toString();
    }

    @Test
    void demangledNamesHideBupmAndKeepMangledLookalikes() throws Exception {
        List<VfsNode> sub = vfs.list(vfs.resolve(srcVfs + "/sub"));
        assertEquals(List.of("dangling", "deeper", "foo.bup", "h2", "x.bupm"), names(sub));
        VfsNode foo = vfs.resolve(srcVfs + "/sub/foo.bup");
        assertEquals(VfsNode.Kind.FILE, foo.kind());
        try (InputStream in = vfs.openContent(foo)) {
            assertEquals("not a chunk tree\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void chunkedFileStreamsItsLeavesInOrder() throws Exception {
        VfsNode big = vfs.resolve(srcVfs + "/big.bin");
        assertTrue(big.isChunked(), "150 KB of random data is stored as a chunk tree");
        assertEquals(150_000, big.size());
        try (InputStream in = vfs.openContent(big)) {
            assertArrayEquals(Files.readAllBytes(src.resolve("big.bin")), in.readAllBytes());
        }
        assertEquals(150_000, new Vfs(Repository.open(bup.repo()), reader).contentSize(big.id(), true));
    }

    @Test
    void specialFilesTakeTheirKindFromBupm() throws Exception {
        assertEquals(VfsNode.Kind.FIFO, vfs.resolve(srcVfs + "/fifo").kind());
        VfsNode link = vfs.resolve(srcVfs + "/link");
        assertEquals(VfsNode.Kind.SYMLINK, link.kind());
        assertArrayEquals("a.txt".getBytes(StandardCharsets.US_ASCII), link.symlinkTarget());
        assertEquals(VfsNode.Kind.DIRECTORY, vfs.resolve(srcVfs + "/emptydir").kind());
        assertEquals(List.of(), vfs.list(vfs.resolve(srcVfs + "/emptydir")));
        VfsNode uni = vfs.resolve(srcVfs + "/sub/deeper/Ünïcödé €.txt");
        assertArrayEquals("Ünïcödé €.txt".getBytes(StandardCharsets.UTF_8), uni.name());
    }

    @Test
    void intermediateSymlinksAreFollowedButNotTheLastOne() throws Exception {
        assertEquals(VfsNode.Kind.SYMLINK, vfs.resolve(srcVfs + "/link").kind());
        assertEquals(VfsNode.Kind.FILE, vfs.resolve(srcVfs + "/sub/../a.txt").kind());
    }

    @Test
    void trailingDotSelectsContentsWithMetadata() throws Exception {
        assertEquals(VfsNode.Selection.CONTENTS_AND_METADATA, vfs.resolve(srcVfs + "/sub/.").selection());
        assertEquals(VfsNode.Selection.CONTENTS, vfs.resolve(srcVfs + "/sub/").selection());
        assertEquals(VfsNode.Selection.ITEM, vfs.resolve(srcVfs + "/sub").selection());
        assertTrue(vfs.resolve("/set/latest/.").contentsOnly());
        NoSuchPathException e = assertThrows(NoSuchPathException.class, () -> vfs.resolve(srcVfs + "/a.txt/."));
        assertTrue(e.getMessage().contains("file"), e.getMessage());
    }

    @Test
    void resolvedDirectoriesCarryTheirOwnMetadata() throws Exception {
        VfsNode sub = vfs.resolve(srcVfs + "/sub");
        assertEquals(Files.getLastModifiedTime(src.resolve("sub")).toInstant(),
                Instant.EPOCH.plusNanos(sub.metadataIfLoaded().mtimeNanos()));
        VfsNode listed = vfs.list(vfs.resolve(srcVfs)).stream().filter(n -> n.displayName().equals("sub"))
                .findFirst().orElseThrow();
        assertNull(listed.metadataIfLoaded());
        assertEquals(sub.metadataIfLoaded().mtimeNanos(), vfs.metadata(listed).mtimeNanos());
    }

    @Test
    void chunkedBupmOfALargeDirectoryIsReadAsOneStream(@TempDir Path other) throws Exception {
        Path many = Files.createDirectories(other.resolve("many"));
        for (int i = 0; i < 3000; i++) {
            Files.writeString(many.resolve("file-" + i), Integer.toString(i));
        }
        BupTool b = BupTool.init(other.resolve("repo"));
        b.save("m", many);
        assertTrue(b.git("ls-tree", "m:" + many.toString().substring(1)).startsWith("040000 tree "),
                "3000 entries make .bupm big enough to be chunked");
        try (ObjectReader r = Repository.open(b.repo()).newReader()) {
            Vfs v = new Vfs(Repository.open(b.repo()), r);
            String dir = "/m/latest" + many;
            List<String> ours = new ArrayList<>();
            for (VfsNode n : v.list(v.resolve(dir))) {
                Metadata m = v.metadata(n);
                ours.add(n.displayName() + " " + Integer.toOctalString(n.mode()) + " " + n.size() + " "
                        + m.mtimeNanos());
            }
            List<String> expected = new ArrayList<>();
            try (var s = Files.list(many)) {
                for (Path f : s.sorted().toList()) {
                    expected.add(f.getFileName() + " 100644 " + Files.size(f) + " "
                            + Files.getLastModifiedTime(f).to(java.util.concurrent.TimeUnit.NANOSECONDS));
                }
            }
            assertEquals(expected, ours);
        }
    }

    @Test
    void unknownNamesListWhatExists() throws Exception {
        NoSuchPathException e = assertThrows(NoSuchPathException.class, () -> vfs.resolve("/nope/latest"));
        assertEquals("no backup set 'nope'; known: dup, other, set", e.getMessage());
        assertEquals("/nope/latest", e.path());
        e = assertThrows(NoSuchPathException.class, () -> vfs.resolve("/set/1999-01-01-000000"));
        assertTrue(e.getMessage().startsWith("no snapshot '1999-01-01-000000' in backup set 'set'; known: "),
                e.getMessage());
        e = assertThrows(NoSuchPathException.class, () -> vfs.resolve(srcVfs + "/sub/missing"));
        assertEquals("no 'missing' in " + srcVfs + "/sub; known: dangling, deeper, foo.bup, h2, x.bupm",
                e.getMessage());
    }

    @Test
    void tagsNameCommitsAsSnapshots() throws Exception {
        assertEquals(List.of("v1"), names(vfs.list(vfs.resolve("/.tag"))));
        VfsNode tag = vfs.resolve("/.tag/v1");
        assertEquals(VfsNode.Kind.SNAPSHOT, tag.kind());
        assertEquals(vfs.resolve("/other/latest").commitId(), tag.commitId());
        assertEquals(lines(bup.bup("ls", "-A", "/.tag/v1" + src.resolve("sub"))),
                names(vfs.list(vfs.resolve("/.tag/v1" + src.resolve("sub")))));
    }
}
