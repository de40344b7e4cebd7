package dev.burrow.core.meta;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * What {@code lstat(2)} says about a path: the fields a save records and compares. Read with one system call
 * into a record rather than through {@code Files.readAttributes(path, "unix:...")}, which parses the attribute
 * string and builds a map of boxed values for every file. {@code mode} is {@code st_mode} (type and permission
 * bits); {@code device} and {@code rdev} are {@code dev_t} values as glibc encodes them; times are nanoseconds
 * since the epoch.
 */
public record FileStat(int mode, long uid, long gid, long device, long inode, long linkCount, long rdev, long size,
                       long atimeNanos, long mtimeNanos, long ctimeNanos) {

    /** The metadata of {@code path} itself (a symlink is not followed). */
    public static FileStat of(Path path) throws IOException {
        if (!Posix.isSupported()) {
            throw new UnsupportedOperationException(Posix.UNSUPPORTED_REASON);
        }
        try (Arena arena = Arena.ofConfined()) {
            return Posix.lstat(arena, Posix.cPath(arena, path), path);
        }
    }
}
