package dev.burrow.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.burrow.core.browse.NoSuchPathException;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.BupTool;
import dev.burrow.core.store.Repository;

class RestorerTest {
    @TempDir
    static Path tmp;
    static BupTool bup;
    static Repository repo;
    static Path src;
    static String srcVfs;

    @BeforeAll
    static void saveFixture() throws Exception {
        src = tmp.resolve("src");
        BupTool.populate(src);
        bup = BupTool.init(tmp.resolve("repo"));
        bup.save("set", src);
        bup.git("fsck", "--full");
        repo = Repository.open(bup.repo());
        srcVfs = "/set/latest" + src;
    }

    /**
     * One line per entry under {@code root}, sorted: relative path, type, permission bits, mtime in ns,
     * then the content's SHA-1 or the symlink target, then the first path of its hardlink group.
     */
    static List<String> describe(Path root, boolean includeRoot) throws Exception {
        List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(root)) {
            walk.sorted().forEach(paths::add);
        }
        Map<Object, String> firstOfInode = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            if (p.equals(root) && !includeRoot) {
                continue;
            }
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,dev,nlink,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
            String rel = root.relativize(p).toString();
            StringBuilder s = new StringBuilder(rel.isEmpty() ? "." : rel).append(' ')
                    .append(Integer.toOctalString(mode & 0170000)).append(' ')
                    .append(Integer.toOctalString(mode & 07777));
            boolean isLink = (mode & 0170000) == 0120000;
            if (!isLink) {
                s.append(' ').append(mtime); // symlink times are not compared: see the symlink test
            }
            if ((mode & 0170000) == 0100000) {
                s.append(" sha1=").append(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(p))));
                if ((Integer) a.get("nlink") > 1) {
                    String first = firstOfInode.computeIfAbsent(List.of(a.get("dev"), a.get("ino")), k -> rel);
                    s.append(" link-group=").append(first);
                }
            } else if (isLink) {
                s.append(" -> ").append(Files.readSymbolicLink(p));
            }
            out.add(s.toString());
        }
        return out;
    }

    private static RestoreResult restore(Path dest, String... paths) throws Exception {
        return Restorer.restore(repo, List.of(paths), dest, RestoreOptions.defaults(), ProgressListener.NONE);
    }

    @Test
    void restoredTreeMatchesTheSource() throws Exception {
        Path dest = tmp.resolve("out-src");
        RestoreResult r = restore(dest, srcVfs);
        assertEquals(describe(src, true), describe(dest.resolve("src"), true));
        assertEquals(0, r.warnings());
        assertTrue(r.bytes() >= 150_000, "bytes " + r.bytes());
    }

    @Test
    void matchesBupRestoreForEachPathForm() throws Exception {
        int i = 0;
        for (String p : List.of("/set/latest", "/set/latest/.", srcVfs, srcVfs + "/.", srcVfs + "/sub/",
                srcVfs + "/big.bin", srcVfs + "/link", srcVfs + "/sub/h2", srcVfs + "/emptydir")) {
            Path ours = tmp.resolve("ours-" + i);
            Path theirs = tmp.resolve("bup-" + i++);
            restore(ours, p);
            bup.bup("restore", "-q", "-C", theirs.toString(), p);
            assertEquals(describe(theirs, p.endsWith("/.")), describe(ours, p.endsWith("/.")), p);
        }
    }

    @Test
    void hardlinkGroupIsRestoredAsOneInode() throws Exception {
        Path dest = tmp.resolve("out-links");
        restore(dest, srcVfs + "/.");
        Object ino = Files.getAttribute(dest.resolve("h1"), "unix:ino");
        assertEquals(ino, Files.getAttribute(dest.resolve("h3"), "unix:ino"));
        assertEquals(ino, Files.getAttribute(dest.resolve("sub/h2"), "unix:ino"));
        assertEquals(3, Files.getAttribute(dest.resolve("h1"), "unix:nlink"));
    }

    @Test
    void symlinksKeepTheirExactTargetsAndTimes() throws Exception {
        Path dest = tmp.resolve("out-symlinks");
        restore(dest, srcVfs + "/.");
        assertEquals(Path.of("a.txt"), Files.readSymbolicLink(dest.resolve("link")));
        assertEquals(Path.of("../nowhere/at all"), Files.readSymbolicLink(dest.resolve("sub/dangling")));
        assertFalse(Files.exists(dest.resolve("sub/dangling")));
        assertEquals(Files.getLastModifiedTime(src.resolve("link"), LinkOption.NOFOLLOW_LINKS),
                Files.getLastModifiedTime(dest.resolve("link"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void specialFilesAreRecreated() throws Exception {
        Path dest = tmp.resolve("out-special");
        restore(dest, srcVfs + "/fifo");
        assertEquals(0010000, (Integer) Files.getAttribute(dest.resolve("fifo"), "unix:mode",
                LinkOption.NOFOLLOW_LINKS) & 0170000);
    }

    @Test
    void neverWritesThroughASymlinkInTheDestination() throws Exception {
        Path dest = Files.createDirectories(tmp.resolve("out-trap"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(dest.resolve("a.txt"), outside.resolve("victim"));
        Files.createSymbolicLink(dest.resolve("sub"), outside);
        restore(dest, srcVfs + "/a.txt", srcVfs + "/sub");
        assertFalse(Files.exists(outside.resolve("victim")));
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count());
        }
        assertEquals("hello\n", Files.readString(dest.resolve("a.txt")));
        assertTrue(Files.isDirectory(dest.resolve("sub"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void refusesToMergeIntoANonEmptyDirectory() throws Exception {
        Path dest = Files.createDirectories(tmp.resolve("out-busy/sub"));
        Files.writeString(dest.resolve("mine"), "keep");
        assertThrows(java.nio.file.DirectoryNotEmptyException.class,
                () -> restore(tmp.resolve("out-busy"), srcVfs + "/sub"));
        assertEquals("keep", Files.readString(dest.resolve("mine")));
    }

    @Test
    void nameThatIsNotUtf8IsRestoredWithItsExactBytes() throws Exception {
        Path odd = Files.createDirectories(tmp.resolve("odd"));
        // A file name with a byte that is not UTF-8: only a shell can make one without Java decoding it.
        Process p = new ProcessBuilder("sh", "-c", "printf x > \"$(printf 'bad\\377name')\"").directory(odd.toFile())
                .start();
        assertEquals(0, p.waitFor());
        bup.save("odd", odd);
        Path dest = tmp.resolve("out-odd");
        RestoreResult r = Restorer.restore(repo, List.of("/odd/latest" + odd + "/."), dest, RestoreOptions.defaults(),
                ProgressListener.NONE);
        assertEquals(0, r.warnings());
        try (var names = Files.list(dest)) {
            assertEquals(List.of(dest.toUri().getRawPath() + "bad%FFname"),
                    names.map(n -> n.toUri().getRawPath()).toList());
        }
        Process ls = new ProcessBuilder("sh", "-c", "cat \"$(printf 'bad\\377name')\"").directory(dest.toFile()).start();
        assertEquals("x", new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void backupSetAloneIsNotRestorable() {
        NoSuchPathException e = assertThrows(NoSuchPathException.class, () -> restore(tmp.resolve("x"), "/set"));
        assertTrue(e.getMessage().contains("/set"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written when a path is bad");
    }

    @Test
    void reportsProgressAndStopsWhenInterrupted() throws Exception {
        AtomicLong lastBytes = new AtomicLong();
        AtomicLong lastFiles = new AtomicLong();
        ProgressListener l = new ProgressListener() {
            @Override
            public void progress(long bytesDone, long filesDone) {
                lastBytes.set(bytesDone);
                lastFiles.set(filesDone);
            }
        };
        RestoreResult r = Restorer.restore(repo, List.of(srcVfs + "/."), tmp.resolve("out-progress"),
                RestoreOptions.defaults(), l);
        assertEquals(r.bytes(), lastBytes.get());
        assertEquals(r.files(), lastFiles.get());
        assertEquals(describe(src, false).size(), r.files());

        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> restore(tmp.resolve("out-interrupted"), srcVfs));
        } finally {
            Thread.interrupted();
        }
    }

}
