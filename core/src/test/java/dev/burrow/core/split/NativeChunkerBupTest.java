package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.spi.Chunker;
import dev.burrow.core.store.ObjectInserter;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bup 0.33.7 as the oracle: {@code bup split -b} (the blob of every chunk, so boundaries) and {@code bup split -t}
 * (the chunk tree, so levels too) against the splitter with the Java chunker and with each native path.
 */
class NativeChunkerBupTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        NativeChunkerTest.requireLibrary();
        Bup.assumeInstalled();
    }

    private static List<String> blobIds(Chunker chunker, byte[] data) throws IOException, NoSuchAlgorithmException {
        List<String> ids = new ArrayList<>();
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        new HashSplitter(chunker).split(new ByteArrayInputStream(data), (buf, off, len, level) -> {
            md.update(("blob " + len + "\0").getBytes());
            md.update(buf, off, len);
            ids.add(HexFormat.of().formatHex(md.digest()));
        }, null);
        return ids;
    }

    private String treeId(Chunker chunker, byte[] data) throws IOException {
        Repository repo = Repository.init(Files.createTempDirectory(tmp, "repo-"));
        try (ObjectInserter inserter = repo.newInserter()) {
            ChunkTreeBuilder builder = new ChunkTreeBuilder(inserter);
            new HashSplitter(chunker).split(new ByteArrayInputStream(data), builder, null);
            String id = builder.finishTree().name();
            inserter.flush();
            return id;
        }
    }

    private static byte[] periodic(int period, int size) {
        byte[] unit = TestData.random(period, period);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = unit[i % period];
        }
        return data;
    }

    private static byte[] realFile() throws IOException {
        Path jvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
        Path f = Files.isRegularFile(jvm) ? jvm : modules;
        byte[] all = Files.readAllBytes(f);
        return Arrays.copyOf(all, Math.min(all.length, 30 << 20));
    }

    @Test
    void sameBlobsAndTreesAsBupSplit() throws Exception {
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        inputs.put("random 17 MiB + 5", TestData.random(21, (17 << 20) + 5));
        inputs.put("adversarial 20 MiB", TestData.adversarial(22, 20 << 20));
        inputs.put("zeros 9 MiB", new byte[9 << 20]);
        inputs.put("period 50", periodic(50, 3 << 20));
        inputs.put("period 3000", periodic(3000, 5 << 20));
        inputs.put("libjvm.so", realFile());
        inputs.put("tiny", "hello\n".getBytes());

        Bup bup = new Bup(tmp.resolve("bup"));
        bup.run("init");
        List<Chunker> chunkers = new ArrayList<>(NativeChunkerTest.paths());
        chunkers.add(JavaChunker.INSTANCE);
        int trees = 0;
        for (Map.Entry<String, byte[]> in : inputs.entrySet()) {
            Path file = tmp.resolve("input");
            Files.write(file, in.getValue());
            List<String> bupBlobs = bup.run("split", "-b", file.toString()).out().lines().toList();
            String bupTree = bup.run("split", "-t", file.toString()).out().trim();
            for (Chunker c : chunkers) {
                NativeChunkerTest.assertSameList(bupBlobs, blobIds(c, in.getValue()),
                        in.getKey() + " blobs with " + c.name());
                assertEquals(bupTree, treeId(c, in.getValue()), in.getKey() + " tree with " + c.name());
            }
            trees += bupBlobs.size() > 256 ? 1 : 0;
        }
        assertTrue(trees >= 3, "too few inputs deep enough for a multi-level chunk tree");
    }
}
