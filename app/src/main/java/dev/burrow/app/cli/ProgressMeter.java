package dev.burrow.app.cli;

import dev.burrow.core.spi.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The CLI's progress listener: warnings as {@code warning: ...} lines on stderr and, when stderr is a terminal, a
 * live progress line redrawn five times a second.
 *
 * <p>Thread safe. Engine callbacks only store the latest values in atomics; a daemon thread named
 * {@code burrow-progress} renders them. Writes to stderr (the progress line, warnings, the final summary) hold one
 * lock so they never interleave. Close it, or call {@link #finish}, before writing anything else to stderr.
 */
final class ProgressMeter implements ProgressListener, AutoCloseable {
    static final Duration REFRESH = Duration.ofMillis(200);

    private final PrintStream err;
    private final boolean live;
    private final LongSupplier nanoClock;
    private final int width;
    private final long startNanos;

    private final AtomicLong totalBytes = new AtomicLong(-1);
    private final AtomicLong totalFiles = new AtomicLong(-1);
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong filesDone = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final AtomicReference<String> working = new AtomicReference<>("");

    private final Object output = new Object();
    /** Guarded by {@link #output}: a progress line is on screen and must be erased before other output. */
    private boolean lineShown;
    private ScheduledExecutorService renderer;

    /**
     * @param live      draw the progress line (only when stderr is a terminal)
     * @param nanoClock monotonic clock; elapsed time counts from construction
     * @param width     terminal width; the line is cut to one less so it never wraps
     */
    ProgressMeter(PrintStream err, boolean live, LongSupplier nanoClock, int width) {
        this.err = err;
        this.live = live;
        this.nanoClock = nanoClock;
        this.width = width;
        this.startNanos = nanoClock.getAsLong();
    }

    /** A meter for {@code context}, already drawing if stderr is a terminal. */
    static ProgressMeter start(CliContext context) {
        ProgressMeter meter = new ProgressMeter(context.err(), context.terminal(), context.nanoClock(),
                context.columns());
        meter.startRendering();
        return meter;
    }

    void startRendering() {
        if (!live) {
            return;
        }
        renderer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("burrow-progress").daemon().factory());
        long period = REFRESH.toMillis();
        renderer.scheduleAtFixedRate(this::draw, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void started(long totalBytes, long totalFiles) {
        this.totalBytes.set(totalBytes);
        this.totalFiles.set(totalFiles);
    }

    @Override
    public void totalsKnown(long totalBytes, long totalFiles) {
        started(totalBytes, totalFiles);
    }

    /** Only the live line shows totals; without it a save need not walk its sources twice. */
    @Override
    public boolean wantsTotals() {
        return live;
    }

    @Override
    public void progress(long bytesDone, long filesDone) {
        // Several engine threads may report; never let a late, smaller count move the display backwards.
        this.bytesDone.accumulateAndGet(bytesDone, Math::max);
        this.filesDone.accumulateAndGet(filesDone, Math::max);
    }

    @Override
    public void working(String what) {
        working.set(what == null ? "" : what);
    }

    @Override
    public void warning(String message) {
        warnings.incrementAndGet();
        synchronized (output) {
            eraseLine();
            err.println("warning: " + message);
            err.flush();
        }
    }

    long warnings() {
        return warnings.get();
    }

    long bytesDone() {
        return bytesDone.get();
    }

    Duration elapsed() {
        return Duration.ofNanos(nanoClock.getAsLong() - startNanos);
    }

    /** The progress line for the current values, at most {@code width - 1} characters. */
    String renderLine() {
        Duration elapsed = elapsed();
        long done = bytesDone.get();
        long total = totalBytes.get();
        long files = filesDone.get();
        long allFiles = totalFiles.get();
        StringBuilder line = new StringBuilder(HumanUnits.bytes(done));
        if (total > 0) {
            line.append(" / ").append(HumanUnits.bytes(total))
                    .append(" (").append(Math.min(100, done * 100 / total)).append("%)");
        }
        if (files > 0 || allFiles > 0) {
            // An engine may count directories it did not announce in its total; then the total is meaningless.
            boolean ofTotal = allFiles > 0 && files <= allFiles;
            line.append(", ").append(HumanUnits.count(files));
            if (ofTotal) {
                line.append(" / ").append(HumanUnits.count(allFiles));
            }
            line.append(files == 1 && !ofTotal ? " file" : " files");
        }
        line.append(", ").append(HumanUnits.rate(done, elapsed));
        if (total > 0 && done > 0 && done < total) {
            Duration eta = Duration.ofNanos((long) (elapsed.toNanos() * ((double) (total - done) / done)));
            line.append(", ETA ").append(HumanUnits.duration(eta));
        }
        int max = width - 1;
        String what = working.get();
        int room = max - line.length() - 2;
        if (!what.isEmpty() && room >= 8) {
            line.append(": ").append(what.length() <= room ? what : "..." + what.substring(what.length() - room + 3));
        }
        return line.length() <= max ? line.toString() : line.substring(0, max);
    }

    /** Draws the current line; the renderer thread calls this every {@link #REFRESH}. */
    void draw() {
        String line = renderLine();
        synchronized (output) {
            err.print("\r" + line + "\033[K");
            err.flush();
            lineShown = true;
        }
    }

    private void eraseLine() {
        if (lineShown) {
            err.print("\r\033[K");
            lineShown = false;
        }
    }

    /** Stops drawing and erases the progress line. Idempotent. */
    @Override
    public void close() {
        if (renderer != null) {
            renderer.shutdownNow();
            try {
                renderer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            renderer = null;
        }
        synchronized (output) {
            eraseLine();
            err.flush();
        }
    }

    /** Closes the meter and prints the run's one-line summary on stderr. */
    void finish(String summary) {
        close();
        synchronized (output) {
            err.println(summary);
            err.flush();
        }
    }
}
