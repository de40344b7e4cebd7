package dev.burrow.core.testing;

import dev.burrow.core.restore.RestoreOptions;
import dev.burrow.core.restore.RestoreResult;
import dev.burrow.core.restore.Restorer;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code RestoreMain REPO VFS_PATH DEST}: a restore in its own process, so tests can bound its heap. Prints
 * {@code done FILES BYTES WARNINGS} and {@code peak-heap BYTES}, or {@code error MESSAGE} and exits 1.
 */
public final class RestoreMain {
    private RestoreMain() { }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        try {
            RestoreResult r = Restorer.restore(Repository.open(Path.of(args[0])), List.of(args[1]), Path.of(args[2]),
                    RestoreOptions.defaults(), ProgressListener.NONE);
            out.println("done " + r.files() + " " + r.bytes() + " " + r.warnings());
            long peak = 0;
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            out.println("peak-heap " + peak);
        } catch (Exception e) {
            out.println("error " + e);
            System.exit(1);
        }
    }
}
