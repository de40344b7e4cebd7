package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataFromPathTest {
    @TempDir
    Path dir;

    private static Metadata roundTrip(Metadata m) throws IOException {
        return Metadata.decode(new ByteArrayInputStream(m.encode()));
    }

    private static long statNanos(Path p, String format) throws IOException, InterruptedException {
        String[] parts = Shell.runText(p.getParent(), "stat", "-c", format, p.toString()).trim().split("\\.");
        return Long.parseLong(parts[0]) * 1_000_000_000L + Long.parseLong(parts[1]);
    }

    @Test
    void regularFileHasStatFieldsWithNanoseconds() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "hello\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Shell.run(dir, "touch", "-m", "-d", "@1600000000.123456789", file.toString());
        Metadata m = Metadata.fromPath(file);
        assertEquals(0100640, m.mode());
        assertTrue(m.isRegularFile());
        assertEquals(1_600_000_000_123_456_789L, m.mtimeNanos());
        assertEquals(statNanos(file, "%.9X"), m.atimeNanos());
        assertEquals(statNanos(file, "%.9Z"), m.ctimeNanos());
        assertEquals(-1, m.size());
        assertEquals(Long.parseLong(Shell.runText(dir, "stat", "-c", "%u", file.toString()).trim()), m.uid());
        assertEquals(Shell.runText(dir, "stat", "-c", "%U", file.toString()).trim(), m.user());
        assertEquals(Shell.runText(dir, "stat", "-c", "%G", file.toString()).trim(), m.group());
        assertEquals(0, m.rdev());
        assertEquals(1, m.linkCount());
        assertEquals(Long.parseLong(Shell.runText(dir, "stat", "-c", "%i", file.toString()).trim()), m.inode());
    }

    @Test
    void regularFileRoundTripsThroughEncoding() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "hello\n");
        Metadata m = Metadata.fromPath(file).withSize(6);
        assertEquals(m, roundTrip(m));
    }

    @Test
    void xattrIsRecorded() throws Exception {
        assumeTrue(Shell.has("setfattr"), "setfattr (package attr) is not installed");
        Path file = Files.writeString(dir.resolve("f"), "x");
        Shell.run(dir, "setfattr", "-n", "user.burrow", "-v", "x", file.toString());
        Metadata m = Metadata.fromPath(file);
        assertTrue(m.xattrs().contains(ExtendedAttribute.of("user.burrow", "x".getBytes(StandardCharsets.UTF_8))),
                m.xattrs().toString());
        assertEquals(m, roundTrip(m));
    }

    @Test
    void directoryHasNoSize() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("d"));
        Metadata m = Metadata.fromPath(sub);
        assertTrue(m.isDirectory());
        assertEquals(-1, m.size());
        assertEquals(m, roundTrip(m));
    }

    @Test
    void symlinkIsNotFollowedAndRecordsItsTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "content");
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        Shell.run(dir, "touch", "-h", "-m", "-d", "@1500000000.000000042", link.toString());
        Metadata m = Metadata.fromPath(link);
        assertTrue(m.isSymlink());
        assertEquals(0120777, m.mode());
        assertArrayEquals("target".getBytes(StandardCharsets.UTF_8), m.symlinkTarget());
        assertEquals(6, m.size());
        assertEquals(1_500_000_000_000_000_042L, m.mtimeNanos());
        assertTrue(Metadata.fromPath(target).isRegularFile());
        assertEquals(m, roundTrip(m));
    }

    @Test
    void danglingSymlinkIsRead() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("dangling"), Path.of("/nonexistent/burrow"));
        Metadata m = Metadata.fromPath(link);
        assertArrayEquals("/nonexistent/burrow".getBytes(StandardCharsets.UTF_8), m.symlinkTarget());
        assertEquals(m, roundTrip(m));
    }

    @Test
    void fifoIsReadWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("fifo");
        Shell.run(dir, "mkfifo", "-m", "0604", fifo.toString());
        Metadata m = Metadata.fromPath(fifo);
        assertTrue(m.isFifo());
        assertEquals(0010604, m.mode());
        assertEquals(0, m.linuxAttr());
        assertNull(m.symlinkTarget());
        assertEquals(m, roundTrip(m));
    }

    @Test
    void charDeviceRecordsRdev() throws IOException {
        Metadata m = Metadata.fromPath(Path.of("/dev/null"));
        assertTrue(m.isCharDevice());
        assertEquals(259, m.rdev()); // glibc makedev(1, 3)
    }

    @Test
    void hardlinksShareDeviceAndInode() throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "x");
        Path b = Files.createLink(dir.resolve("b"), a);
        Metadata ma = Metadata.fromPath(a);
        Metadata mb = Metadata.fromPath(b);
        assertEquals(2, ma.linkCount());
        assertEquals(ma.inode(), mb.inode());
        assertEquals(ma.device(), mb.device());
    }

    @Test
    void missingFileThrowsNoSuchFileNamingThePath() {
        Path missing = dir.resolve("missing");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Metadata.fromPath(missing));
        assertEquals(missing.toString(), e.getFile());
    }

    @Test
    void extendedAclIsRecordedAsBupTexts() throws Exception {
        assumeTrue(Shell.has("setfacl") && PosixAcl.isAvailable(), "setfacl or libacl missing");
        Path file = Files.writeString(dir.resolve("f"), "x");
        Shell.run(dir, "setfacl", "-m", "u:1234:rw-", file.toString());
        Metadata m = Metadata.fromPath(file);
        List<byte[]> acl = m.posix1eAcl();
        assertEquals(2, acl.size());
        assertEquals("u::rw-,u:1234:rw-,g::r--,m::rw-,o::r--", new String(acl.get(1), StandardCharsets.UTF_8));
        assertEquals(m, roundTrip(m));
    }

    @Test
    void plainPermissionsHaveNoAclRecord() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertTrue(Metadata.fromPath(file).posix1eAcl().isEmpty());
    }

    @Test
    void readAheadIsAskedForARegularFileNotVouchedForAndStartsReadingIt() throws Exception {
        Path file = dir.resolve("cold");
        byte[] data = new byte[3 << 20];
        new java.util.Random(3).nextBytes(data);
        Files.write(file, data, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.SYNC);
        Shell.run(dir, "dd", "if=" + file, "iflag=nocache", "count=0", "status=none");   // drops its cached pages
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.MappedByteBuffer start = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 1 << 20);
            assumeTrue(!start.isLoaded(), "the file stayed in the page cache (tmpfs?): nothing to observe");
            List<Long> asked = new java.util.ArrayList<>();
            Metadata m = Metadata.fromPath(file, null, size -> {
                asked.add(size);
                return 1 << 20;
            });
            assertEquals(List.of((long) data.length), asked);
            assertEquals(data.length, m.statSize());
            // The hint returns before the disk has answered: give it a moment (mincore tells what is cached).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!start.isLoaded() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(start.isLoaded(), "the first MiB was not read ahead");
        }
        // Never for a directory, nor for a file whose metadata the index vouches for (its content is not read).
        Metadata.fromPath(dir, null, size -> {
            throw new AssertionError("asked for a directory");
        });
        Metadata.fromPath(file, known -> 0L, size -> {
            throw new AssertionError("asked for a file the index vouches for");
        });
    }
}
