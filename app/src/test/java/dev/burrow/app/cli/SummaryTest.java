package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.backup.SaveResult;
import dev.burrow.core.backup.SplitResult;
import dev.burrow.core.check.FsckReport;
import dev.burrow.core.restore.RestoreResult;
import dev.burrow.core.store.ObjectId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    private static final ObjectId COMMIT = ObjectId.fromHex("abc123def4567890abc123def4567890abc123de");
    private static final ObjectId TREE = ObjectId.EMPTY_TREE;

    @Test
    void saveSummaryHasFilesBytesTimeRateNewBytesAndCommit() {
        SaveResult r = new SaveResult(COMMIT, TREE, 1234, 5_600_000_000L, 78_000_000L, 0);
        assertEquals("saved 1,234 files, 5.6 GB in 12.3 s (455 MB/s), 78 MB new; commit abc123def456",
                Summary.save(r, Duration.ofMillis(12_300)));
    }

    @Test
    void saveSummaryCountsSkippedPaths() {
        SaveResult r = new SaveResult(COMMIT, TREE, 1, 10, 0, 2);
        assertEquals("saved 1 file, 10 B in 1.0 s (10 B/s), 0 B new, 2 skipped (see warnings above);"
                + " commit abc123def456", Summary.save(r, Duration.ofSeconds(1)));
    }

    @Test
    void splitSummaryShowsCommitOrElseTree() {
        assertEquals(List.of("split 2.0 MB in 2.0 s (1.0 MB/s); commit abc123def456",
                        "split 2.0 MB in 2.0 s (1.0 MB/s); tree 4b825dc642cb"),
                List.of(Summary.split(new SplitResult(TREE, TREE, COMMIT, 2_000_000), Duration.ofSeconds(2)),
                        Summary.split(new SplitResult(TREE, TREE, null, 2_000_000), Duration.ofSeconds(2))));
    }

    @Test
    void restoreAndJoinAndFsckSummaries() {
        assertEquals(List.of("restored 3 files, 1.5 kB in 0.5 s (3.0 kB/s), 1 warnings (see above)",
                        "joined 999 B in 4 min 05 s (4 B/s)",
                        "checked 10 objects in 1 pack in 1.0 s: no problems",
                        "checked 10 objects in 2 packs in 1.0 s: 1 problem"),
                List.of(Summary.restore(new RestoreResult(3, 1500, 1), Duration.ofMillis(500)),
                        Summary.join(999, Duration.ofSeconds(245)),
                        Summary.fsck(new FsckReport(10, 1, List.of()), Duration.ofSeconds(1)),
                        Summary.fsck(new FsckReport(10, 2, List.of("bad")), Duration.ofSeconds(1))));
    }

    @Test
    void durationsAndSizesReadNaturally() {
        assertEquals(List.of("0.0 s", "59.9 s", "1 min 00 s", "2 h 03 min", "0 B", "999 B", "1.0 kB", "10 kB",
                        "1.0 GB", "12 TB"),
                List.of(HumanUnits.duration(Duration.ZERO), HumanUnits.duration(Duration.ofMillis(59_900)),
                        HumanUnits.duration(Duration.ofMillis(59_960)), HumanUnits.duration(Duration.ofMinutes(123)),
                        HumanUnits.bytes(0), HumanUnits.bytes(999), HumanUnits.bytes(1000), HumanUnits.bytes(9_999),
                        HumanUnits.bytes(999_999_999), HumanUnits.bytes(12_000_000_000_000L)));
    }
}
