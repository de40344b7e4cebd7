package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataApplyTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private ApplyOptions options() {
        return ApplyOptions.defaults(warnings::add);
    }

    private static boolean root() {
        return Posix.geteuid() == 0;
    }

    /** What a restore can reproduce: everything encoded except ctime. */
    private static Metadata restorable(Metadata m) {
        return m.toBuilder().ctimeNanos(0).build();
    }

    private void setTimes(Path p) throws Exception {
        Shell.run(dir, "touch", "-h", "-m", "-d", "@1400000000.987654321", p.toString());
        Shell.run(dir, "touch", "-h", "-a", "-d", "@1300000000.000000007", p.toString());
    }

    @Test
    void regularFileGetsModeTimesAndXattrs() throws Exception {
        Path source = Files.writeString(dir.resolve("source"), "data");
        Shell.run(dir, "chmod", "4751", source.toString());
        Shell.run(dir, "setfattr", "-n", "user.burrow", "-v", "x", source.toString());
        setTimes(source);
        Metadata m = Metadata.fromPath(source);
        Path restored = Files.writeString(dir.resolve("restored"), "data");
        m.applyTo(restored, options());
        assertEquals(restorable(m), restorable(Metadata.fromPath(restored)));
        assertEquals(04751, Metadata.fromPath(restored).mode() & 07777);
        assertEquals(List.of(), warnings);
    }

    @Test
    void directoryGetsModeAndTimes() throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Shell.run(dir, "chmod", "1750", source.toString());
        setTimes(source);
        Metadata m = Metadata.fromPath(source);
        Path restored = Files.createDirectory(dir.resolve("restored"));
        m.applyTo(restored, options());
        assertEquals(restorable(m), restorable(Metadata.fromPath(restored)));
        assertEquals(List.of(), warnings);
    }

    @Test
    void symlinkGetsItsOwnTimesAndTargetKeepsItsOwn() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "t");
        Shell.run(dir, "touch", "-m", "-d", "@1000000000", target.toString());
        Path source = Files.createSymbolicLink(dir.resolve("source"), Path.of("target"));
        setTimes(source);
        Metadata m = Metadata.fromPath(source);
        Path restored = Files.createSymbolicLink(dir.resolve("restored"), Path.of("target"));
        m.applyTo(restored, options());
        Metadata back = Metadata.fromPath(restored);
        assertEquals(1_400_000_000_987_654_321L, back.mtimeNanos());
        assertEquals(1_300_000_000_000_000_007L, back.atimeNanos());
        assertEquals(restorable(m), restorable(back));
        assertEquals(1_000_000_000_000_000_000L, Metadata.fromPath(target).mtimeNanos());
    }

    @Test
    void fifoIsCreatedAndGetsItsMetadata() throws Exception {
        Path source = dir.resolve("source");
        Shell.run(dir, "mkfifo", "-m", "0642", source.toString());
        setTimes(source);
        Metadata m = Metadata.fromPath(source);
        Path restored = dir.resolve("restored");
        m.createSpecial(restored);
        m.applyTo(restored, options());
        assertEquals(restorable(m), restorable(Metadata.fromPath(restored)));
    }

    @Test
    void socketIsCreated() throws Exception {
        Metadata m = Metadata.builder().mode(0140755).build();
        Path restored = dir.resolve("sock");
        m.createSpecial(restored);
        m.applyTo(restored, options());
        assertEquals(0140755, Metadata.fromPath(restored).mode());
    }

    @Test
    void charDeviceIsCreatedWithItsRdev() throws Exception {
        assumeTrue(root(), "mknod of a device needs root");
        Metadata m = Metadata.fromPath(Path.of("/dev/null"));
        Path restored = dir.resolve("null");
        m.createSpecial(restored);
        m.applyTo(restored, options());
        Metadata back = Metadata.fromPath(restored);
        assertEquals(m.mode(), back.mode());
        assertEquals(259, back.rdev());
    }

    @Test
    void createSpecialRefusesExistingPath() throws Exception {
        Metadata m = Metadata.builder().mode(0010644).build();
        Path existing = Files.writeString(dir.resolve("f"), "x");
        assertThrows(FileAlreadyExistsException.class, () -> m.createSpecial(existing));
    }

    @Test
    void createSpecialRejectsRegularFiles() {
        Metadata m = Metadata.builder().mode(0100644).build();
        assertThrows(IllegalStateException.class, () -> m.createSpecial(dir.resolve("f")));
    }

    @Test
    void ownershipIsRestoredByIdWhenTheNameIsUnknown() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path file = Files.writeString(dir.resolve("f"), "x");
        Metadata m = Metadata.fromPath(file).toBuilder().uid(12345).gid(23456).user("").group("").build();
        m.applyTo(file, options());
        Metadata back = Metadata.fromPath(file);
        assertEquals(12345, back.uid());
        assertEquals(23456, back.gid());
        Metadata.fromPath(file).toBuilder().uid(0).gid(0).build().applyTo(file, options());
        assertEquals(0, Metadata.fromPath(file).uid());
    }

    @Test
    void ownershipFollowsTheNameWhenItExistsHere() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path file = Files.writeString(dir.resolve("f"), "x");
        Metadata m = Metadata.fromPath(file).toBuilder().uid(4242).user("root").gid(4343).group("root").build();
        m.applyTo(file, options());
        assertEquals(0, Metadata.fromPath(file).uid());
        assertEquals(0, Metadata.fromPath(file).gid());
    }

    @Test
    void numericIdsIgnoreNames() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path file = Files.writeString(dir.resolve("f"), "x");
        Metadata m = Metadata.fromPath(file).toBuilder().uid(4242).user("root").gid(4343).group("root").build();
        m.applyTo(file, new ApplyOptions(true, true, warnings::add));
        assertEquals(4242, Metadata.fromPath(file).uid());
        assertEquals(4343, Metadata.fromPath(file).gid());
    }

    @Test
    void symlinkOwnershipChangesTheLinkNotTheTarget() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path target = Files.writeString(dir.resolve("target"), "t");
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        Metadata.fromPath(link).toBuilder().uid(12345).user("").build().applyTo(link, options());
        assertEquals(12345, Metadata.fromPath(link).uid());
        assertEquals(0, Metadata.fromPath(target).uid());
    }

    @Test
    void failingXattrBecomesAWarningAndTheRestIsApplied() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Metadata m = Metadata.fromPath(file).toBuilder().mode(0100600).mtimeNanos(1_234_000_000_005L)
                .addXattr(ExtendedAttribute.of("bogus.burrow", new byte[] {1}))
                .addXattr(ExtendedAttribute.of("user.ok", new byte[] {2})).build();
        m.applyTo(file, options());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(file.toString()), warnings.get(0));
        Metadata back = Metadata.fromPath(file);
        assertEquals(1_234_000_000_005L, back.mtimeNanos());
        assertEquals(0100600, back.mode());
        assertTrue(back.xattrs().contains(ExtendedAttribute.of("user.ok", new byte[] {2})));
    }

    @Test
    void xattrsNotRecordedAreRemoved() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Shell.run(dir, "setfattr", "-n", "user.stale", "-v", "old", file.toString());
        Metadata m = Metadata.fromPath(file).toBuilder()
                .xattrs(List.of(ExtendedAttribute.of("user.new", "v".getBytes(StandardCharsets.UTF_8)))).build();
        m.applyTo(file, options());
        assertEquals(m.xattrs(), Metadata.fromPath(file).xattrs());
    }

    @Test
    void aclsAreRestored() throws Exception {
        assumeTrue(Shell.has("setfacl") && PosixAcl.isAvailable(), "setfacl or libacl missing");
        Path source = Files.createDirectory(dir.resolve("source"));
        Shell.run(dir, "setfacl", "-m", "u:1234:rwx", source.toString());
        Shell.run(dir, "setfacl", "-d", "-m", "g:2345:r-x", source.toString());
        Metadata m = Metadata.fromPath(source);
        assertEquals(4, m.posix1eAcl().size());
        Path restored = Files.createDirectory(dir.resolve("restored"));
        m.applyTo(restored, options());
        Metadata back = Metadata.fromPath(restored);
        assertEquals(m.posix1eAcl().size(), back.posix1eAcl().size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(m.posix1eAcl().get(i), back.posix1eAcl().get(i), "text " + i);
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void emptyMetadataOnlyWarns() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Metadata.empty().applyTo(file, options());
        assertEquals(1, warnings.size());
    }
}
