package dev.burrow.core.backup;

import dev.burrow.core.spi.ProgressListener;
import java.nio.file.Path;

/**
 * The save's counters, updated by the reader (bytes), the writer (files) and anyone who skips something
 * (warnings). Reports go to the listener under one lock, so it sees both counts only grow.
 */
final class SaveProgress {
    private final ProgressListener listener;
    private long bytes;
    private long files;
    private long skipped;

    SaveProgress(ProgressListener listener) {
        this.listener = listener;
    }

    synchronized void read(long n) {
        bytes += n;
        listener.progress(bytes, files);
    }

    synchronized void file() {
        files++;
        listener.progress(bytes, files);
    }

    void working(Path path) {
        listener.working(path.toString());
    }

    synchronized void skip(Path path, String what) {
        skipped++;
        listener.warning(path + ": " + what);
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long files() {
        return files;
    }

    synchronized long skipped() {
        return skipped;
    }
}
