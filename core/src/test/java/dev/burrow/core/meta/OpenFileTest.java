package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenFileTest {
    /** chattr's 'A' (no atime updates): settable by root on ext4 and most Linux file systems. */
    private static final int NOATIME_FL = 0x80;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private static Metadata restorable(Metadata m) {
        return m.toBuilder().ctimeNanos(0).build();
    }

    @Test
    void contentAndMetadataGoThroughOneOpenFileAsTheyWouldByPath() throws Exception {
        Path source = Files.writeString(dir.resolve("source"), "0123456789");
        Shell.run(dir, "chmod", "4751", source.toString());
        Shell.run(dir, "setfattr", "-n", "user.burrow", "-v", "x", source.toString());
        Shell.run(dir, "touch", "-m", "-d", "@1400000000.987654321", source.toString());
        Shell.run(dir, "touch", "-a", "-d", "@1300000000.000000007", source.toString());
        Metadata.Builder b = Metadata.fromPath(source).toBuilder();
        if (Posix.geteuid() == 0) {
            b.uid(12345).gid(23456).user("").group("");
        }
        Metadata m = b.build();

        Path restored = dir.resolve("restored");
        try (OpenFile f = OpenFile.createNew(restored)) {
            ByteBuffer tail = ByteBuffer.allocateDirect(7).put("3456789".getBytes(StandardCharsets.US_ASCII)).flip();
            f.write(tail, 3);
            assertEquals(7, tail.position(), "a write consumes the buffer");
            f.write(ByteBuffer.wrap("012".getBytes(StandardCharsets.US_ASCII)), 0);   // a heap buffer
            m.applyTo(f, ApplyOptions.defaults(warnings::add));
        }
        assertEquals(restorable(m), restorable(Metadata.fromPath(restored)));
        assertEquals(04751, Metadata.fromPath(restored).mode() & 07777);
        assertEquals(List.of(), warnings);
        assertEquals("0123456789", Files.readString(restored));   // last: reading may update the atime
    }

    @Test
    void chattrFlagsAreSetThroughTheDescriptor() throws Exception {
        assumeTrue(Posix.geteuid() == 0, "chattr needs root");
        Path restored = dir.resolve("restored");
        int before;
        try (Arena arena = Arena.ofConfined(); OpenFile f = OpenFile.createNew(restored)) {
            before = Posix.getLinuxFlags(arena, Posix.cPath(arena, restored), restored, 0);
            Metadata m = Metadata.fromPath(restored).toBuilder().linuxAttr(before | NOATIME_FL).build();
            m.applyTo(f, ApplyOptions.defaults(warnings::add));
        }
        assumeTrue(warnings.isEmpty(), "no chattr flags on this file system: " + warnings);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(before | NOATIME_FL, Posix.getLinuxFlags(arena, Posix.cPath(arena, restored), restored, 0));
        }
    }

    @Test
    void createNewRefusesWhateverIsInPlaceAndNeverFollowsASymlink() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> OpenFile.createNew(link));
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
        assertThrows(FileAlreadyExistsException.class, () -> OpenFile.createNew(target));
        assertEquals("keep", Files.readString(target));
    }

    @Test
    void openExistingWritesInPlaceButNotThroughASymlink() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "abcdef");
        try (OpenFile f = OpenFile.openExisting(file)) {
            f.write(ByteBuffer.wrap(new byte[] {'X'}), 2);
        }
        assertArrayEquals("abXdef".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(file));

        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        IOException e = assertThrows(IOException.class, () -> OpenFile.openExisting(link));
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
        assertEquals("abXdef", Files.readString(file));
    }

    @Test
    void writebackIsStartedForARangeAndABadRangeIsReportedWithThePath() throws Exception {
        assumeTrue(Posix.isSupported(), "no sync_file_range here");
        Path file = dir.resolve("pack");
        byte[] data = writeRandom(file, 3 << 20);
        // As a pack writer uses it: a second, read-only descriptor of a file being written.
        try (OpenFile f = OpenFile.openForHints(file)) {
            f.startWriteback(0, 1 << 20);
            f.startWriteback(1 << 20, 2 << 20);
            // A negative offset is EINVAL: proof that the arguments reach the call in their places.
            IOException e = assertThrows(IOException.class, () -> f.startWriteback(-4096, 4096));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("sync_file_range"),
                    e.getMessage());
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void cachedPagesOfASyncedFileCanBeDropped() throws Exception {
        assumeTrue(Posix.isSupported(), "no posix_fadvise here");
        Path file = dir.resolve("synced");
        byte[] data = writeRandom(file, 2 << 20);
        try (OpenFile f = OpenFile.openForHints(file)) {
            Shell.run(dir, "sync", file.toString());   // clean pages: only those can be dropped
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                java.nio.MappedByteBuffer mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0,
                        data.length);
                assumeTrue(mapped.isLoaded(), "the written pages were not cached: nothing to observe");
                f.dropCached();
                assertTrue(!mapped.isLoaded(), "the pages are still cached");
            }
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    /** A new file of {@code size} random bytes, written through an {@link OpenFile}; returns the bytes. */
    private static byte[] writeRandom(Path file, int size) throws IOException {
        byte[] data = new byte[size];
        new java.util.Random(size).nextBytes(data);
        try (OpenFile written = OpenFile.createNew(file)) {
            written.write(ByteBuffer.wrap(data), 0);
        }
        return data;
    }
}
