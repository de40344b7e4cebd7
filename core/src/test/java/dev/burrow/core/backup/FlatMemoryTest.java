package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.SaveMain;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat: a save of a 4 GB file and a save of 100,000 small files both succeed in a JVM limited
 * to a 256 MiB heap. The heap peak each reports is printed for the record, not timed or asserted tightly.
 */
class FlatMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void fourGigabyteFileSavesWithA256MiBHeap() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        writeRandom(src.resolve("disk.img"), 4L << 30);
        String out = saveInChild(src);
        Files.delete(src.resolve("disk.img"));
        assertTrue(out.contains("done 4294967296 0"), out);
    }

    @Test
    void hundredThousandSmallFilesSaveWithA256MiBHeap() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(src.resolve("dir-" + d));
            for (int f = 0; f < 1000; f++) {
                Files.writeString(dir.resolve("file-" + f + ".txt"), "small file " + d + "/" + f + "\n");
            }
        }
        String out = saveInChild(src);
        assertTrue(out.contains("done ") && out.contains(" 0\n"), out);
    }

    private String saveInChild(Path src) throws IOException, InterruptedException {
        Path repo = tmp.resolve("repo");
        Repository.init(repo);
        Process p = ChildJvm.start(List.of("-Xmx256m"), SaveMain.class, List.of(repo.toString(), "m", src.toString()));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "save did not finish");
        String summary = out.lines().filter(l -> !l.startsWith("progress")).reduce("", (a, b) -> a + b + "\n");
        System.out.println(getClass().getSimpleName() + ": " + summary.replace('\n', ' '));
        Bup.assertFsckClean(repo);
        return summary;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        SplittableRandom rnd = new SplittableRandom(4);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = rnd.nextLong();
                    for (int k = 0; k < 8; k++) {
                        buf[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }
}
