package dev.burrow.core.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileStat reads statx itself; every field must equal what java.nio.file's own lstat reports. */
class FileStatTest {
    @TempDir
    Path dir;

    private static void assertSameAsNio(Path p) throws IOException {
        Map<String, Object> st = Files.readAttributes(p,
                "unix:mode,uid,gid,dev,ino,rdev,nlink,size,ctime,lastAccessTime,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        FileStat s = FileStat.of(p);
        assertEquals(((Number) st.get("mode")).intValue(), s.mode(), "mode of " + p);
        assertEquals(Integer.toUnsignedLong((Integer) st.get("uid")), s.uid(), "uid of " + p);
        assertEquals(Integer.toUnsignedLong((Integer) st.get("gid")), s.gid(), "gid of " + p);
        assertEquals((Long) st.get("dev"), s.device(), "dev of " + p);
        assertEquals((Long) st.get("ino"), s.inode(), "ino of " + p);
        assertEquals((Long) st.get("rdev"), s.rdev(), "rdev of " + p);
        assertEquals(Integer.toUnsignedLong((Integer) st.get("nlink")), s.linkCount(), "nlink of " + p);
        assertEquals((Long) st.get("size"), s.size(), "size of " + p);
        assertEquals(nanos(st.get("lastAccessTime")), s.atimeNanos(), "atime of " + p);
        assertEquals(nanos(st.get("lastModifiedTime")), s.mtimeNanos(), "mtime of " + p);
        assertEquals(nanos(st.get("ctime")), s.ctimeNanos(), "ctime of " + p);
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    @Test
    void everyFieldMatchesNioForEachFileType() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "hello\n");
        Shell.run(dir, "touch", "-m", "-d", "@1600000000.123456789", file.toString());
        Files.createLink(dir.resolve("hard"), file);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("no/such/target"));
        Shell.run(dir, "mkfifo", dir.resolve("fifo").toString());
        Path before1970 = Files.writeString(dir.resolve("old"), "");
        Shell.run(dir, "touch", "-m", "-d", "@-86400.5", before1970.toString());
        for (Path p : new Path[] {file, dir, dir.resolve("link"), dir.resolve("fifo"), before1970,
                Path.of("/dev/null"), Path.of("/")}) {
            assertSameAsNio(p);
        }
    }

    @Test
    void missingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> FileStat.of(dir.resolve("missing")));
    }
}
