package dev.burrow.core.testing;

import dev.burrow.core.backup.PathRewrite;
import dev.burrow.core.backup.SaveRequest;
import dev.burrow.core.backup.SaveResult;
import dev.burrow.core.backup.Saver;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * {@code SaveMain REPO NAME SOURCE...}: a save in its own process, so tests can kill it or bound its heap.
 * Prints {@code progress BYTES} about every MiB, then {@code done BYTES SKIPPED} or {@code error MESSAGE}.
 */
public final class SaveMain {
    private SaveMain() { }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Repository repo = Repository.open(Path.of(args[0]));
        List<Path> sources = Arrays.stream(args, 2, args.length).map(Path::of).toList();
        ProgressListener progress = new ProgressListener() {
            private long next;

            @Override
            public synchronized void progress(long bytes, long files) {
                if (bytes >= next) {
                    out.println("progress " + bytes);
                    out.flush();
                    next = bytes + (1 << 20);
                }
            }
        };
        try {
            SaveResult r = Saver.save(repo, new SaveRequest(args[1], sources, new PathRewrite(true, null, List.of()),
                    ZonedDateTime.now(), 1, List.of("save")), progress);
            out.println("done " + r.bytes() + " " + r.skipped());
            out.println("peak-heap " + peakHeap());
        } catch (Exception e) {
            out.println("error " + e);
            System.exit(1);
        }
    }

    private static long peakHeap() {
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
