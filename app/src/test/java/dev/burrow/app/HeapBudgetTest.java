package dev.burrow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The old generation's peak with and without a {@link HeapBudget}, in a child JVM with the serial collector and a
 * high cap, under a load that promotes objects which die later (as a save's queued per-file objects do).
 */
class HeapBudgetTest {
    private static final long MIB = 1 << 20;

    /** Churns through medium-lived objects, then prints the old generation's peak in bytes. */
    public static final class Churn {
        public static void main(String[] args) {
            if (args.length > 0) {
                HeapBudget.start(Long.parseLong(args[0]));
            }
            Random r = new Random(1);
            byte[][] ring = new byte[2048][];   // about 8 MiB live at any time, replaced at random
            for (int i = 0; i < 150_000; i++) {
                // Filled, not just allocated: a young collection every few milliseconds, not every few hundred
                // microseconds, closer to a real command and within reach of the asynchronous notifications.
                byte[] b = new byte[4096];
                r.nextBytes(b);
                ring[r.nextInt(ring.length)] = b;
            }
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getName().contains("Tenured")) {
                    peak = pool.getPeakUsage().getUsed();
                }
            }
            System.out.println(peak);
        }
    }

    private static long oldPeak(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx512m", "-Xmn8m", "-cp", System.getProperty("java.class.path"),
                Churn.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return Long.parseLong(out);
    }

    @Test
    void budgetKeepsTheOldGenerationNearWhatIsLive() throws Exception {
        long without = oldPeak();
        long with = oldPeak(Long.toString(16 * MIB));
        // Without a budget the garbage of 600 MiB of churn piles up; with one the old generation stays near the
        // 8 MiB that are live plus what one young collection promotes.
        assertTrue(without > 100 * MIB, "without a budget the old generation peaked at " + without / MIB + " MiB");
        assertTrue(with < 48 * MIB, "with a 16 MiB budget the old generation peaked at " + with / MIB + " MiB");
    }

    @Test
    void sizesParseWithTheirUnits() {
        assertEquals(List.of(24 * MIB, 1L << 30, 512 * 1024L, 65536L),
                List.of(HeapBudget.parseSize("24m"), HeapBudget.parseSize("1G"), HeapBudget.parseSize("512k"),
                        HeapBudget.parseSize("65536")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeapBudget.parseSize("lots"));
        assertEquals("-Dburrow.heap.oldBudget=lots: not a size (examples: 24m, 1g)", e.getMessage());
    }
}
