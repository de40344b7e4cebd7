package dev.burrow.app.cli;

import java.time.Instant;

/**
 * One line of {@code burrow ls}: what bup shows of a VFS item. Nullable fields are unknown and print as bup prints
 * them ({@code ?} or {@code -}).
 *
 * @param name          the name to show (a full path when a single file was listed)
 * @param mode          POSIX {@code st_mode}, file type bits included
 * @param user          owner name, or null
 * @param group         group name, or null
 * @param uid           owner id, or null
 * @param gid           group id, or null
 * @param size          size in bytes, or null if unknown
 * @param rdev          device number for character and block devices, else 0
 * @param mtime         modification time, or null
 * @param symlinkTarget the target of a symlink, else null
 */
record LsEntry(String name, int mode, String user, String group, Integer uid, Integer gid, Long size, long rdev,
               Instant mtime, String symlinkTarget) {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int S_IFIFO = 0010000;
    static final int S_IFSOCK = 0140000;

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }
}
