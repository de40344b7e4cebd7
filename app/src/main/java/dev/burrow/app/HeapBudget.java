package dev.burrow.app;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import javax.management.NotificationEmitter;

/**
 * Keeps the old generation near what is live, so that the heap's cap (-Xmx) can be high enough for what a
 * command must hold (a directory of 200,000 files needs some 100 MiB while its tree is built) without every run
 * growing to it.
 *
 * <p>Why: the serial collector, the one with the smallest footprint, collects the old generation only when it
 * cannot grow any more; until then every young collection's survivors that die later (per-file objects that
 * waited in a queue, tables of a finished pack) pile up there. With a 40 MiB cap that kept RSS low but failed
 * with OutOfMemoryError on large directories; with a high cap the heap grew with the size of the backup. So
 * after each young collection this checks the old generation, and when it holds more than the budget it asks
 * for a full collection. When more than the budget is live after a full collection (the large directory), the
 * limit becomes a quarter above what is live, so that the collections do not follow every step of its growth.
 */
public final class HeapBudget {
    /** The budget for the old generation, e.g. {@code 24m}; unset: no budget, the JVM's own policy. */
    public static final String PROPERTY = "burrow.heap.oldBudget";

    private final MemoryPoolMXBean old;
    private final long budget;
    private volatile long liveAfterFull;

    private HeapBudget(MemoryPoolMXBean old, long budget) {
        this.old = old;
        this.budget = budget;
    }

    /**
     * Starts watching if {@value #PROPERTY} is set and the collector has a pool to watch (an old generation and
     * collection notifications); returns whether it did.
     */
    public static boolean startFromProperty() {
        String value = System.getProperty(PROPERTY);
        return value != null && !value.isBlank() && start(parseSize(value));
    }

    /** Starts watching with a budget of {@code bytes}; returns false where the collector offers nothing to watch. */
    static boolean start(long bytes) {
        MemoryPoolMXBean old = null;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            String name = pool.getName();
            if (pool.getType() == MemoryType.HEAP && (name.contains("Tenured") || name.contains("Old Gen"))) {
                old = pool;
            }
        }
        if (old == null) {
            return false;
        }
        HeapBudget watch = new HeapBudget(old, bytes);
        boolean listening = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> watch.afterCollection(), null, null);
                listening = true;
            }
        }
        return listening;
    }

    /** Runs on the JVM's notification thread after every collection, young or full. */
    private void afterCollection() {
        MemoryUsage afterLast = old.getCollectionUsage();   // the old generation after its last full collection
        if (afterLast != null) {
            liveAfterFull = afterLast.getUsed();
        }
        long live = liveAfterFull;
        long limit = live > budget ? live + live / 4 : budget;
        if (old.getUsage().getUsed() > limit) {
            // A full collection ends with another notification, which finds the old generation below the limit.
            System.gc();
        }
    }

    /** {@code 24m}, {@code 1g}, {@code 65536}: a size in bytes with an optional k, m or g suffix. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long unit = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + s + ": not a size (examples: 24m, 1g)", e);
        }
    }
}
