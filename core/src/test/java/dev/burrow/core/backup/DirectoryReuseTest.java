package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.burrow.core.index.FileIndex;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An indexed re-save reuses the recorded tree of a directory in which nothing changed, as bup does. Each save
 * here is compared with a save that reads everything, and each change must alter exactly the trees on its
 * path: a wrong reuse keeps an old tree where the full save has a new one.
 *
 * <p>All atimes are set an hour ahead first (and those of new files when they are made), so that with relatime no
 * read or listing moves them: then a full save and a reused tree agree, and a tree differs only where something
 * really changed. Setting an atime changes the ctime, so it is done only to what a step changes anyway.
 */
class DirectoryReuseTest {
    @TempDir
    Path tmp;

    private Path src;
    private Repository repo;

    @BeforeEach
    void tree() throws Exception {
        src = Files.createDirectories(tmp.resolve("src"));
        write("top.txt", "top\n");
        write("a/a1.txt", "a1\n");
        write("a/b/b1.txt", "b1\n");
        write("a/b/c/deep.txt", "deep\n");
        write("a/b/c/deep2.txt", "deep2\n");
        write("a/x/x1.txt", "x1\n");
        write("other/o1.txt", "o1\n");
        repo = Repository.init(tmp.resolve("repo"));
    }

    private void write(String rel, String text) throws Exception {
        Path p = src.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private SaveResult save(boolean useIndex) throws Exception {
        return Saver.save(repo, new SaveRequest("r", List.of(src), new PathRewrite(true, null, List.of()),
                ZonedDateTime.now(), 1, List.of("save"), useIndex), ProgressListener.NONE);
    }

    /** The first save, with every atime an hour ahead. */
    private SaveResult firstSave() throws Exception {
        try (Stream<Path> all = Files.walk(src)) {
            return settledSave(all.toArray(Path[]::new));
        }
    }

    /**
     * An indexed save, checked against a save that reads everything, after the atimes of {@code made} (new
     * files) are set an hour ahead and the clock has passed every change.
     */
    private SaveResult settledSave(Path... made) throws Exception {
        for (Path p : made) {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(null, FileTime.from(Instant.now().plusSeconds(3600)), null);
        }
        // The index trusts no entry changed within a second of its save; this waits for the clock only.
        Thread.sleep(1100);
        SaveResult indexed = save(true);
        assertEquals(save(false).tree(), indexed.tree(), "an indexed save stores what a full save stores");
        return indexed;
    }

    @Test
    void unchangedResaveReusesTheWholeTreeAndLeavesTheIndexAlone() throws Exception {
        SaveResult first = firstSave();
        Path index = FileIndex.defaultFile(repo.directory(), List.of(src));
        Object indexFile = Files.readAttributes(index, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        SaveResult again = save(true);

        assertEquals(first.tree(), again.tree());
        assertEquals(7, again.unchanged());
        // Nothing was recorded, so the index was not rewritten: every directory, the root too, was reused whole.
        assertEquals(indexFile,
                Files.readAttributes(index, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    }

    @Test
    void eachChangeAltersExactlyTheTreesOnItsPath() throws Exception {
        SaveResult before = firstSave();

        Files.writeString(src.resolve("a/b/c/deep.txt"), "more\n", StandardOpenOption.APPEND);
        SaveResult content = settledSave();
        assertEquals(Set.of("", "a", "a/b", "a/b/c", "a/b/c/.bupm", "a/b/c/deep.txt"), changedPaths(before, content));
        assertEquals(6, content.unchanged());

        Files.setPosixFilePermissions(src.resolve("a/b/c/deep2.txt"), PosixFilePermissions.fromString("rw-------"));
        SaveResult mode = settledSave();
        assertEquals(Set.of("", "a", "a/b", "a/b/c", "a/b/c/.bupm"), changedPaths(content, mode));

        Files.setPosixFilePermissions(src.resolve("a/b"), PosixFilePermissions.fromString("rwx------"));
        SaveResult dirMode = settledSave();
        assertEquals(Set.of("", "a", "a/b", "a/b/.bupm"), changedPaths(mode, dirMode), "a/b/c is reused");

        Files.writeString(src.resolve("a/b/c/new.txt"), "new\n");
        SaveResult added = settledSave(src.resolve("a/b/c/new.txt"));
        assertEquals(Set.of("", "a", "a/b", "a/b/c", "a/b/c/.bupm", "a/b/c/new.txt"), changedPaths(dirMode, added));

        Files.delete(src.resolve("other/o1.txt"));
        SaveResult deleted = settledSave();
        assertEquals(Set.of("", "other", "other/.bupm", "other/o1.txt"), changedPaths(added, deleted));
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void anXattrChangeAltersItsDirectoryAndItsAncestors() throws Exception {
        Path x1 = src.resolve("a/x/x1.txt");
        Assumptions.assumeTrue(setXattr(x1, "v1"), "no user xattrs on this filesystem");
        SaveResult before = firstSave();

        setXattr(x1, "v2");
        SaveResult after = settledSave();

        assertEquals(Set.of("", "a", "a/x", "a/x/.bupm"), changedPaths(before, after));
    }

    /**
     * The index keeps a directory's chattr flags only if it had no xattrs and no ACL; a directory rebuilt
     * because a child changed must still get its own xattrs, and a change to them must reach the snapshot.
     */
    @Test
    void aRebuiltDirectoryKeepsItsXattrsAndAnXattrChangeReachesIt() throws Exception {
        Path x = src.resolve("a/x");
        Assumptions.assumeTrue(setXattr(x, "v1"), "no user xattrs on this filesystem");
        SaveResult before = firstSave();

        Files.writeString(x.resolve("x1.txt"), "more\n", StandardOpenOption.APPEND);
        SaveResult child = settledSave();
        assertEquals(Set.of("", "a", "a/x", "a/x/.bupm", "a/x/x1.txt"), changedPaths(before, child));

        setXattr(x, "v2");
        SaveResult own = settledSave();
        assertEquals(Set.of("", "a", "a/x", "a/x/.bupm"), changedPaths(child, own));
    }

    /**
     * Every link to an inode records the first path the save meets as its target, so a directory holding one
     * must not be skipped: a later link would take itself as the first.
     */
    @Test
    void hardLinksKeepTheirFirstPathWhenOnlyALaterDirectoryChanges() throws Exception {
        Files.createLink(src.resolve("other/link.txt"), src.resolve("a/a1.txt"));
        SaveResult before = firstSave();

        Files.writeString(src.resolve("other/o1.txt"), "changed\n", StandardOpenOption.APPEND);
        SaveResult after = settledSave();

        assertNotEquals(before.tree(), after.tree());
        assertEquals(Set.of("", "other", "other/.bupm", "other/o1.txt"), changedPaths(before, after));
    }

    private static boolean setXattr(Path file, String value) throws Exception {
        try {
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                    .write("burrow", ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The paths (relative to the root, which is "") whose entries differ between two snapshots' trees. The
     * chunks of a {@code .bupm} count as the {@code .bupm}: its few hundred bytes of times and modes are hashsplit
     * as bup does, so now and then a boundary falls inside and it becomes a tree of chunks.
     */
    private Set<String> changedPaths(SaveResult a, SaveResult b) {
        Map<String, String> left = entries(a.tree());
        Map<String, String> right = entries(b.tree());
        Set<String> changed = new TreeSet<>();
        for (String path : union(left.keySet(), right.keySet())) {
            if (!String.valueOf(left.get(path)).equals(String.valueOf(right.get(path)))) {
                changed.add(path);
            }
        }
        return changed;
    }

    private Map<String, String> entries(ObjectId tree) {
        Map<String, String> out = new HashMap<>();
        out.put("", tree.name());
        for (String line : new Bup(repo.directory()).git("ls-tree", "-r", "-t", tree.name()).out().split("\n")) {
            if (!line.isEmpty()) {
                String[] meta = line.substring(0, line.indexOf('\t')).split(" ");
                String path = line.substring(line.indexOf('\t') + 1);
                if (!path.contains(".bupm/")) {
                    out.put(path, meta[0] + " " + meta[2]);
                }
            }
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
