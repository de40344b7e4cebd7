package dev.burrow.app.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code bup ls -l}'s line format (bup 0.33's {@code metadata.summary_bytes}):
 * {@code %-10s %-11s %11s %16s %s} of mode, user/group, size (or major,minor), local mtime, and name, with
 * {@code -> target} after a symlink's name.
 */
final class LsFormat {
    private static final DateTimeFormatter MTIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private LsFormat() { }

    static String longLine(LsEntry e, boolean numericIds, ZoneId zone) {
        String owner = owner(e.user(), e.uid(), numericIds) + "/" + owner(e.group(), e.gid(), numericIds);
        String name = e.symlinkTarget() != null && !e.symlinkTarget().isEmpty()
                ? e.name() + " -> " + e.symlinkTarget() : e.name();
        return String.format(Locale.ROOT, "%-10s %-11s %11s %16s %s", modeString(e.mode()), owner, sizeOrDevice(e),
                MTIME.format(e.mtime().atZone(zone)), name);
    }

    private static String owner(String name, Long id, boolean numericIds) {
        if (!name.isEmpty() && !numericIds) {
            return name;
        }
        return id != null ? id.toString() : "?";
    }

    private static String sizeOrDevice(LsEntry e) {
        int type = e.mode() & LsEntry.S_IFMT;
        if (type == LsEntry.S_IFCHR || type == LsEntry.S_IFBLK) {
            // Linux's dev_t encoding, as Python's os.major() and os.minor() decode it.
            long major = ((e.rdev() >>> 8) & 0xfff) | ((e.rdev() >>> 32) & ~0xfffL);
            long minor = (e.rdev() & 0xff) | ((e.rdev() >>> 12) & ~0xffL);
            return e.rdev() != 0 ? major + "," + minor : "?";
        }
        return Long.toString(e.size());
    }

    /** {@code drwxr-xr-x}; like bup, no setuid, setgid or sticky letters. */
    static String modeString(int mode) {
        char type = switch (mode & LsEntry.S_IFMT) {
            case LsEntry.S_IFREG -> '-';
            case LsEntry.S_IFDIR -> 'd';
            case LsEntry.S_IFCHR -> 'c';
            case LsEntry.S_IFBLK -> 'b';
            case LsEntry.S_IFIFO -> 'p';
            case LsEntry.S_IFLNK -> 'l';
            case LsEntry.S_IFSOCK -> 's';
            default -> '?';
        };
        StringBuilder s = new StringBuilder(10).append(type);
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        return s.toString();
    }
}
