package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LsFormatTest {
    private static final Instant MTIME = Instant.parse("2024-05-06T07:08:09Z");

    @Test
    void regularFileLineMatchesBupLsL() {
        LsEntry e = new LsEntry("hosts", LsEntry.S_IFREG | 0644, "root", "root", 0L, 0L, 186, 0, MTIME, null);
        assertEquals("-rw-r--r-- root/root           186 2024-05-06 07:08 hosts",
                LsFormat.longLine(e, false, ZoneOffset.UTC));
    }

    @Test
    void symlinkShowsTarget() {
        LsEntry e = new LsEntry("mtab", LsEntry.S_IFLNK | 0777, "root", "root", 0L, 0L, 19, 0, MTIME,
                "../proc/self/mounts");
        assertEquals("lrwxrwxrwx root/root            19 2024-05-06 09:08 mtab -> ../proc/self/mounts",
                LsFormat.longLine(e, false, ZoneOffset.ofHours(2)));
    }

    @Test
    void ownersFallBackToIdsThenQuestionMarks() {
        LsEntry named = new LsEntry("d", LsEntry.S_IFDIR | 0755, "me", "staff", 1000L, 50L, 0, 0, MTIME, null);
        LsEntry anonymous = new LsEntry("d", LsEntry.S_IFDIR | 0755, "", "", null, null, 0, 0, Instant.EPOCH, null);
        assertEquals(List.of("drwxr-xr-x 1000/50               0 2024-05-06 07:08 d",
                        "drwxr-xr-x ?/?                   0 1970-01-01 00:00 d"),
                List.of(LsFormat.longLine(named, true, ZoneOffset.UTC),
                        LsFormat.longLine(anonymous, false, ZoneOffset.UTC)));
    }

    @Test
    void devicesShowMajorAndMinor() {
        LsEntry e = new LsEntry("sda", LsEntry.S_IFBLK | 0660, "root", "disk", 0L, 6L, 0, (8 << 8) | 1, MTIME, null);
        assertEquals("brw-rw---- root/disk           8,1 2024-05-06 07:08 sda",
                LsFormat.longLine(e, false, ZoneOffset.UTC));
    }

    @Test
    void modeStringsForEveryType() {
        assertEquals(List.of("prw-------", "srwxr-xr-x", "crw-rw-rw-", "?---------"),
                List.of(LsFormat.modeString(LsEntry.S_IFIFO | 0600), LsFormat.modeString(LsEntry.S_IFSOCK | 0755),
                        LsFormat.modeString(LsEntry.S_IFCHR | 0666), LsFormat.modeString(0)));
    }
}
