package dev.burrow.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * A generated directory tree with everything a backup must get right: many small files, large
 * incompressible files and a near-duplicate of one, symlinks (one dangling), hardlinks, empty files and
 * directories, non-ASCII and awkward names (including names bup mangles), a fifo, odd permissions and
 * nanosecond times.
 */
public final class SampleTree {
    private SampleTree() { }

    /** Creates the tree under {@code root} (which must not exist); {@code bigSize} sizes the large files. */
    public static void create(Path root, int bigSize) throws IOException {
        Files.createDirectories(root);
        Path small = Files.createDirectories(root.resolve("small"));
        for (int i = 0; i < 300; i++) {
            Path dir = Files.createDirectories(small.resolve("d" + (i % 7)));
            Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i + "\n".repeat(i % 13));
        }
        byte[] big = TestData.random(1, bigSize);
        Files.write(root.resolve("big.bin"), big);
        // A near-duplicate: a few bytes inserted in the middle.
        byte[] near = new byte[big.length + 5];
        int mid = big.length / 2;
        System.arraycopy(big, 0, near, 0, mid);
        System.arraycopy("HELLO".getBytes(StandardCharsets.US_ASCII), 0, near, mid, 5);
        System.arraycopy(big, mid, near, mid + 5, big.length - mid);
        Files.write(root.resolve("big-near.bin"), near);
        Files.write(root.resolve("zeros.bin"), new byte[bigSize / 2]);

        Files.createFile(root.resolve("empty"));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.createDirectories(root.resolve("nested/a/b/c"));
        Files.writeString(root.resolve("nested/a/b/c/deep.txt"), "deep\n");

        for (String name : List.of("ünïcødé ñame.txt", "名前.txt", "with space", "-leading-dash", "foo.bup",
                "bar.bupm", ".bupm", "x.bupl", "tab\there", "newline\nname", "quote'\"", "back\\slash")) {
            Files.writeString(root.resolve(name), "awkward: " + name + "\n");
        }
        Files.createDirectories(root.resolve("dir.bup"));
        Files.writeString(root.resolve("dir.bup/inside"), "inside a dir named .bup\n");

        Files.createSymbolicLink(root.resolve("link-to-big"), Path.of("big.bin"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("does/not/exist"));
        Files.createSymbolicLink(root.resolve("link-to-dir"), Path.of("nested"));

        Files.writeString(root.resolve("hard1"), "hard linked\n");
        Files.createLink(root.resolve("hard2"), root.resolve("hard1"));
        Files.createLink(root.resolve("nested/hard3"), root.resolve("hard1"));

        Exec.ok(null, "mkfifo", root.resolve("fifo").toString());
        // A name that is not valid UTF-8: Java cannot spell it, a shell can.
        Exec.ok(root, "sh", "-c", "printf 'not utf-8\\n' > \"$(printf 'latin1-caf\\351')\"");

        Path exec = root.resolve("script.sh");
        Files.writeString(exec, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(exec, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(root.resolve("empty"), PosixFilePermissions.fromString("rw-------"));

        Files.setLastModifiedTime(root.resolve("big.bin"), FileTime.from(Instant.ofEpochSecond(1_600_000_000, 123_456_789)));
        Files.setLastModifiedTime(root.resolve("nested"), FileTime.from(Instant.ofEpochSecond(1_500_000_000, 987_654_321)));
    }
}
