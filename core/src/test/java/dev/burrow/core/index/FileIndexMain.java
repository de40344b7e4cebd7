package dev.burrow.core.index;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child-JVM side of {@link FileIndexTest}: {@code kill FILE N} records N entries, checkpoints, says so and
 * keeps recording until killed; {@code scale FILE N} records N entries, abandons the save, resumes it at
 * the next open, re-saves everything with new mtimes, and checks every lookup, all under the parent's -Xmx.
 */
public final class FileIndexMain {
    private FileIndexMain() { }

    static byte[] path(int i) {
        return ("/home/user/src/dir-" + (i % 1000) + "/file-" + i + ".txt").getBytes(StandardCharsets.UTF_8);
    }

    static FileIndexTest.Stat stat(int i, int generation) {
        return new FileIndexTest.Stat(2049, 5_000_000L + i, 1, FileIndexTest.T + i,
                FileIndexTest.T + i + generation * 1_000_000_000L, i * 7L);
    }

    static byte[] id(int i) {
        byte[] id = new byte[20];
        id[0] = 1;
        for (int k = 0; k < 4; k++) {
            id[16 + k] = (byte) (i >>> (8 * (3 - k)));
        }
        return id;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "kill" -> kill(file, n);
            case "scale" -> scale(file, n);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void record(FileIndex.Recorder r, int from, int to, int generation) throws Exception {
        for (int i = from; i < to; i++) {
            byte[] p = path(i);
            FileIndexTest.Stat s = stat(i, generation);
            r.add(p, 0, p.length, s.dev(), s.ino(), s.nlink(), s.ctime(), s.mtime(), s.size(), FileIndexTest.BLOB,
                    id(i), 0);
        }
    }

    private static void kill(Path file, int n) throws Exception {
        FileIndex idx = FileIndex.open(file);
        FileIndex.Recorder r = idx.record();
        record(r, 0, n, 0);
        r.checkpoint();
        System.out.println("checkpointed");
        System.out.flush();
        for (int i = n; ; i++) {
            record(r, i, i + 1, 0);
        }
    }

    private static void scale(Path file, int n) throws Exception {
        long t0 = System.nanoTime();
        try (FileIndex idx = FileIndex.open(file); FileIndex.Recorder r = idx.record()) {
            record(r, 0, n, 0);
            r.checkpoint();   // Abandoned: the next open resumes from the journal.
        }
        long t1 = System.nanoTime();
        try (FileIndex idx = FileIndex.open(file)) {
            long t2 = System.nanoTime();
            check(idx, n, 0);
            long t3 = System.nanoTime();
            try (FileIndex.Recorder r = idx.record()) {
                record(r, 0, n, 1);
                r.commit();
            }
            long t4 = System.nanoTime();
            System.out.printf("record %d ms, open+merge %d ms, %d lookups %d ms, re-record+commit %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, n, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
        }
        try (FileIndex idx = FileIndex.open(file)) {
            if (idx.size() != n) {
                throw new AssertionError("entries " + idx.size());
            }
            check(idx, n, 1);
            byte[] out = new byte[20];
            for (int i = 0; i < n; i++) {
                byte[] p = path(i);
                FileIndexTest.Stat s = stat(i, 0);
                if (FileIndexTest.lookup(idx, p, s, out) != -1) {
                    throw new AssertionError("stale hit " + i);
                }
            }
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.println("heap used after gc " + heap / 1024 + " KiB");
        System.out.println("ok " + n);
    }

    private static void check(FileIndex idx, int n, int generation) {
        byte[] out = new byte[20];
        for (int i = 0; i < n; i++) {
            byte[] p = path(i);
            if (FileIndexTest.lookup(idx, p, stat(i, generation), out) != FileIndexTest.BLOB
                    || !java.util.Arrays.equals(out, id(i))) {
                throw new AssertionError("miss " + new String(p, StandardCharsets.UTF_8));
            }
        }
    }
}
