package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {
    private final AtomicLong nanos = new AtomicLong(42);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private ProgressMeter meter(boolean live, int width) {
        return new ProgressMeter(err, live, nanos::get, width);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void lineShowsBytesFilesRateAndEtaWhenTotalsAreKnown() {
        ProgressMeter meter = meter(false, 120);
        meter.started(10_000_000_000L, 100);
        meter.progress(2_500_000_000L, 10);
        advance(Duration.ofSeconds(5));
        assertEquals("2.5 GB / 10 GB (25%), 10 / 100 files, 500 MB/s, ETA 15.0 s", meter.renderLine());
    }

    @Test
    void lineWithoutTotalsHasNoPercentageOrEta() {
        ProgressMeter meter = meter(false, 120);
        meter.started(-1, -1);
        meter.progress(123_456_789L, 1234);
        advance(Duration.ofMillis(2500));
        assertEquals("123 MB, 1,234 files, 49 MB/s", meter.renderLine());
    }

    @Test
    void wantsTotalsOnlyWhenItDrawsTheLine() {
        assertEquals(List.of(true, false), List.of(meter(true, 120).wantsTotals(), meter(false, 120).wantsTotals()));
    }

    @Test
    void lateSmallerCountsDoNotMoveProgressBackwards() {
        ProgressMeter meter = meter(false, 120);
        meter.progress(2000, 2);
        meter.progress(1000, 1);
        advance(Duration.ofSeconds(1));
        assertEquals("2.0 kB, 2 files, 2.0 kB/s", meter.renderLine());
    }

    @Test
    void countBeyondTheAnnouncedTotalIsShownWithoutIt() {
        ProgressMeter meter = meter(false, 120);
        meter.started(100, 1);
        meter.progress(100, 4);
        advance(Duration.ofSeconds(1));
        assertEquals("100 B / 100 B (100%), 4 files, 100 B/s", meter.renderLine());
    }

    @Test
    void workingPathIsCutFromTheLeftToFitTheTerminal() {
        ProgressMeter meter = meter(false, 40);
        meter.progress(5_000_000, 3);
        advance(Duration.ofSeconds(1));
        meter.working("/home/me/photos/2024/holiday/beach.jpg");
        String line = meter.renderLine();
        assertEquals("5.0 MB, 3 files, 5.0 MB/s: ...beach.jpg", line);
    }

    @Test
    void warningErasesTheProgressLineAndPrintsOneLine() {
        ProgressMeter meter = meter(true, 80);
        meter.progress(1000, 1);
        advance(Duration.ofSeconds(1));
        meter.draw();
        meter.warning("/etc/shadow: permission denied");
        assertEquals("\r1.0 kB, 1 file, 1.0 kB/s\033[K\r\033[Kwarning: /etc/shadow: permission denied\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void finishErasesTheLineThenPrintsTheSummary() {
        ProgressMeter meter = meter(true, 80);
        meter.draw();
        meter.finish("saved 0 files");
        assertEquals("\r0 B, 0 B/s\033[K\r\033[Ksaved 0 files\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void notOnATerminalOnlyWarningsAndSummaryArePrinted() {
        ProgressMeter meter = meter(false, 80);
        meter.startRendering();
        meter.progress(1000, 1);
        meter.warning("x: vanished");
        meter.finish("done");
        assertEquals("warning: x: vanished\ndone\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void elapsedFollowsTheClock() {
        ProgressMeter meter = meter(false, 80);
        advance(Duration.ofMillis(12_345));
        assertEquals(Duration.ofMillis(12_345), meter.elapsed());
    }
}
