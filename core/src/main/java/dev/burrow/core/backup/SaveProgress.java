package dev.burrow.core.backup;

import dev.burrow.core.spi.ProgressListener;
import java.nio.file.Path;

/**
 * The save's counters, updated by the reader (bytes), the writer (files) and anyone who skips something
 * (warnings). Reports go to the listener under one lock, so it sees both counts only grow. The listener's
 * byte count includes the size of files taken unread from the filesystem index, so it reaches the total.
 */
final class SaveProgress {
    private final ProgressListener listener;
    private long bytes;
    private long bytesRead;
    private long files;
    private long unchanged;
    private long skipped;

    SaveProgress(ProgressListener listener) {
        this.listener = listener;
    }

    synchronized void read(long n) {
        bytes += n;
        bytesRead += n;
        listener.progress(bytes, files);
    }

    /** A regular file of {@code size} bytes taken from the index without reading it; it is counted as a file. */
    synchronized void unchanged(long size) {
        bytes += size;
        unchanged++;
        files++;
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

    synchronized long bytesRead() {
        return bytesRead;
    }

    synchronized long unchanged() {
        return unchanged;
    }

    synchronized long files() {
        return files;
    }

    synchronized long skipped() {
        return skipped;
    }
}
