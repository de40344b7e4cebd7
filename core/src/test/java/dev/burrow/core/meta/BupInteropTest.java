package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saves a small tree with the real bup 0.33.7 and compares its {@code .bupm} entries with ours, both ways.
 * Atimes are set in the future first, so that neither bup's nor our reads (readdir, readlink) move them
 * under relatime.
 */
class BupInteropTest {
    @TempDir
    static Path temp;

    private static Path source;
    private static Path repo;
    /** Each saved directory with its .bupm blob. */
    private static final Map<Path, byte[]> BUPM = new LinkedHashMap<>();

    @BeforeAll
    static void saveTreeWithBup() throws Exception {
        assumeTrue(Shell.has("bup") && Shell.has("git"), "bup and git are needed");
        assumeTrue(Shell.has("setfattr") && Shell.has("setfacl"), "attr and acl tools are needed");
        source = Files.createDirectory(temp.resolve("src"));
        repo = temp.resolve("repo");
        Path sub = Files.createDirectory(source.resolve("sub"));
        Path empty = Files.createDirectory(source.resolve("empty"));
        Path a = Files.writeString(source.resolve("a.txt"), "hello\n");
        sh("setfattr", "-n", "user.burrow", "-v", "x", a.toString());
        Files.createSymbolicLink(source.resolve("b-link"), Path.of("a.txt"));
        Files.createSymbolicLink(source.resolve("c-dangling"), Path.of("/nonexistent/burrow"));
        sh("mkfifo", "-m", "0640", source.resolve("d-fifo").toString());
        Path exec = Files.writeString(source.resolve("e-exec"), "#!/bin/sh\n");
        sh("chmod", "4755", exec.toString());
        Path acl = Files.writeString(source.resolve("f-acl"), "acl");
        sh("setfacl", "-m", "u:1234:rw-", acl.toString());
        if (Posix.geteuid() == 0) {
            sh("mknod", source.resolve("g-null").toString(), "c", "1", "3");
        }
        Path hard = Files.writeString(source.resolve("h-hard1"), "same inode");
        Files.createLink(source.resolve("h-hard2"), hard);
        Files.writeString(sub.resolve("x"), "in sub");
        sh("setfacl", "-d", "-m", "g:2345:r-x", sub.toString());

        long future = System.currentTimeMillis() / 1000 + 3600;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.forEach(all::add);
        }
        for (Path p : all.reversed()) { // children before their directories
            sh("touch", "-h", "-m", "-d", "@1600000000.123456789", p.toString());
            sh("touch", "-h", "-a", "-d", "@" + future + ".5", p.toString());
        }

        sh("bup", "-d", repo.toString(), "init");
        sh("bup", "-d", repo.toString(), "index", source.toString());
        sh("bup", "-d", repo.toString(), "save", "-n", "t", source.toString());
        for (Path d : List.of(source, sub, empty)) {
            String treePath = "t:" + d.toString().substring(1) + "/.bupm";
            // A .bupm is a blob, or a chunk tree when its content happens to hold a chunk boundary.
            String id = Shell.runText(temp, "git", "--git-dir", repo.toString(), "rev-parse", treePath).trim();
            BUPM.put(d, Shell.run(temp, "bup", "-d", repo.toString(), "join", id));
        }
    }

    private static void sh(String... command) throws Exception {
        Shell.run(temp, command);
    }

    /** Entry 0 is the directory; then one per non-directory child, by name bytes. */
    private static List<Path> bupmOrder(Path directory) throws IOException {
        List<Path> order = new ArrayList<>();
        order.add(directory);
        try (Stream<Path> children = Files.list(directory)) {
            children.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .sorted((x, y) -> java.util.Arrays.compareUnsigned(name(x), name(y)))
                    .forEach(order::add);
        }
        return order;
    }

    private static byte[] name(Path p) {
        return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Metadata> decodeAll(byte[] bupm) throws IOException {
        List<Metadata> entries = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(bupm);
        Metadata m;
        while ((m = Metadata.decode(in)) != null) {
            entries.add(m);
        }
        return entries;
    }

    /** What the saver would record for {@code p}: fromPath, the content size, and bup's hardlink target. */
    private static Metadata asSaved(Path p, Metadata bupEntry) throws IOException {
        Metadata m = Metadata.fromPath(p);
        if (m.isRegularFile()) {
            m = m.withSize(Files.size(p));
        }
        if (m.linkCount() > 1 && !m.isDirectory()) {
            byte[] target = bupEntry.hardlinkTarget();
            assertNotNull(target, "bup recorded no hardlink target for " + p);
            String t = new String(target, StandardCharsets.UTF_8);
            assertTrue(Set.of(source.resolve("h-hard1").toString(), source.resolve("h-hard2").toString())
                    .contains(t), t);
            m = m.withHardlinkTarget(target);
        }
        return m;
    }

    @Test
    void everyBupEntryReencodesToTheSameBytes() throws IOException {
        for (Map.Entry<Path, byte[]> e : BUPM.entrySet()) {
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            for (Metadata m : decodeAll(e.getValue())) {
                again.writeBytes(m.encode());
            }
            assertEquals(HexFormat.of().formatHex(e.getValue()), HexFormat.of().formatHex(again.toByteArray()),
                    e.getKey().toString());
        }
    }

    @Test
    void bupEntriesDecodeToWhatFromPathReads() throws IOException {
        for (Map.Entry<Path, byte[]> e : BUPM.entrySet()) {
            List<Path> paths = bupmOrder(e.getKey());
            List<Metadata> entries = decodeAll(e.getValue());
            assertEquals(paths.size(), entries.size(), "entries in " + e.getKey());
            for (int i = 0; i < paths.size(); i++) {
                assertEquals(asSaved(paths.get(i), entries.get(i)), entries.get(i), paths.get(i).toString());
            }
        }
    }

    @Test
    void fromPathEncodesToBupBytes() throws IOException {
        for (Map.Entry<Path, byte[]> e : BUPM.entrySet()) {
            List<Path> paths = bupmOrder(e.getKey());
            List<Metadata> entries = decodeAll(e.getValue());
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            for (int i = 0; i < paths.size(); i++) {
                byte[] entry = asSaved(paths.get(i), entries.get(i)).encode();
                assertEquals(HexFormat.of().formatHex(entries.get(i).encode()), HexFormat.of().formatHex(entry),
                        paths.get(i).toString());
                ours.writeBytes(entry);
            }
            assertEquals(HexFormat.of().formatHex(e.getValue()), HexFormat.of().formatHex(ours.toByteArray()),
                    e.getKey().toString());
        }
    }

    @Test
    void savedTreeCoversXattrsAclsLinksAndSpecialFiles() throws IOException {
        Map<String, Metadata> byName = new LinkedHashMap<>();
        List<Path> paths = bupmOrder(source);
        List<Metadata> entries = decodeAll(BUPM.get(source));
        for (int i = 0; i < paths.size(); i++) {
            byName.put(paths.get(i).getFileName().toString(), entries.get(i));
        }
        assertEquals(List.of(ExtendedAttribute.of("user.burrow", "x".getBytes(StandardCharsets.UTF_8))),
                byName.get("a.txt").xattrs());
        assertEquals("a.txt", new String(byName.get("b-link").symlinkTarget(), StandardCharsets.UTF_8));
        assertEquals(5, byName.get("b-link").size());
        assertTrue(byName.get("d-fifo").isFifo());
        assertEquals(-1, byName.get("d-fifo").size());
        assertEquals(04755, byName.get("e-exec").mode() & 07777);
        assertEquals("u::rw-,u:1234:rw-,g::r--,m::rw-,o::r--",
                new String(byName.get("f-acl").posix1eAcl().get(1), StandardCharsets.UTF_8));
        assertFalse(byName.get("f-acl").xattrs().isEmpty(), "system.posix_acl_access is an xattr too");
        assertNotNull(byName.get("h-hard1").hardlinkTarget());
        assertNull(byName.get("a.txt").hardlinkTarget());
        assertEquals(1_600_000_000_123_456_789L, byName.get("a.txt").mtimeNanos());
        if (byName.containsKey("g-null")) {
            assertEquals(259, byName.get("g-null").rdev());
        }
        assertEquals(4, decodeAll(BUPM.get(source.resolve("sub"))).get(0).posix1eAcl().size());
    }
}
