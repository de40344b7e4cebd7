package dev.burrow.app.cli;

import java.time.Instant;

/**
 * One line of {@code burrow ls -l}: what bup shows of a VFS item.
 *
 * <p>{@code name}, {@code user}, {@code group} and {@code symlinkTarget} hold raw bytes, one char per byte
 * (ISO-8859-1), so that names which are not UTF-8 reach stdout unchanged, as bup prints them.
 *
 * @param name          the name to show (the path as given when a single file was listed)
 * @param mode          POSIX {@code st_mode}, file type bits included
 * @param user          owner name, empty if unknown
 * @param group         group name, empty if unknown
 * @param uid           owner id, or null if unknown
 * @param gid           group id, or null if unknown
 * @param size          size in bytes
 * @param rdev          device number of a character or block device, else 0
 * @param mtime         modification time (the epoch when unknown, as bup shows it)
 * @param symlinkTarget the target of a symlink, else null
 */
record LsEntry(String name, int mode, String user, String group, Long uid, Long gid, long size, long rdev,
               Instant mtime, String symlinkTarget) {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int S_IFIFO = 0010000;
    static final int S_IFSOCK = 0140000;
}
