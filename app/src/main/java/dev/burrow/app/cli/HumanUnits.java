package dev.burrow.app.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * Numbers as people read them on a terminal: {@code 1,234}, {@code 5.6 GB}, {@code 456 MB/s}, {@code 12.3 s}.
 * Sizes use decimal units (1 GB = 10^9 bytes) like {@code df -H} and most file managers; one decimal below 10,
 * none above.
 */
final class HumanUnits {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private HumanUnits() { }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        double value = n;
        int unit = 0;
        while (value >= 999.95 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        return (value < 9.95 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.0f", value))
                + " " + UNITS[unit];
    }

    /** Bytes per second over {@code elapsed}; {@code 0 B/s} for a zero interval. */
    static String rate(long bytes, Duration elapsed) {
        long nanos = elapsed.toNanos();
        if (nanos <= 0) {
            return "0 B/s";
        }
        return bytes((long) (bytes * 1e9 / nanos)) + "/s";
    }

    /** {@code 0.4 s}, {@code 12.3 s}, {@code 4 min 05 s}, {@code 2 h 03 min}. */
    static String duration(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 59_950) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        long minutes = Math.round(seconds / 60.0);
        return String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }
}
