package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.Exec;
import dev.burrow.core.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashSplitterTest {
    @TempDir
    Path tmp;

    /** bup 0.33.7's splitting, written as plainly as possible from the spec, with the reference rollsum. */
    static List<int[]> referenceSplit(byte[] data) {
        List<int[]> chunks = new ArrayList<>();
        int bufStart = 0;
        int bufEnd = 0;
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(HashSplitter.READ_SIZE, data.length - pos);
            pos += n;
            bufEnd += n;
            while (true) {
                long r = JavaChunkerTest.reference(data, bufStart, bufStart, bufEnd);
                if (r < 0) {
                    break;
                }
                int len = (int) r - bufStart;
                if (len > HashSplitter.BLOB_MAX) {
                    chunks.add(new int[] {bufStart, HashSplitter.BLOB_MAX, 0});
                    bufStart += HashSplitter.BLOB_MAX;
                } else {
                    chunks.add(new int[] {bufStart, len, (int) (r >>> 32)});
                    bufStart += len;
                }
            }
            while (bufEnd - bufStart >= HashSplitter.BLOB_MAX) {
                chunks.add(new int[] {bufStart, HashSplitter.BLOB_MAX, 0});
                bufStart += HashSplitter.BLOB_MAX;
            }
        }
        if (bufEnd > bufStart) {
            chunks.add(new int[] {bufStart, bufEnd - bufStart, 0});
        }
        return chunks;
    }

    static List<int[]> split(byte[] data) throws IOException {
        List<int[]> chunks = new ArrayList<>();
        long[] at = {0};
        new HashSplitter(JavaChunker.INSTANCE).split(new ByteArrayInputStream(data), (buf, off, len, level) -> {
            chunks.add(new int[] {(int) at[0], len, level});
            at[0] += len;
        }, null);
        return chunks;
    }

    private static void assertSameChunks(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size(), "chunk count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(List.of(expected.get(i)[0], expected.get(i)[1], expected.get(i)[2]),
                    List.of(actual.get(i)[0], actual.get(i)[1], actual.get(i)[2]), "chunk " + i);
        }
    }

    @Test
    void matchesTheReferenceAlgorithmOnRandomData() throws IOException {
        byte[] data = TestData.random(3, 3 << 20);
        assertSameChunks(referenceSplit(data), split(data));
    }

    @Test
    void matchesTheReferenceAcrossReadBlocksOnAdversarialData() throws IOException {
        byte[] data = TestData.adversarial(11, 20 << 20);
        assertSameChunks(referenceSplit(data), split(data));
    }

    @Test
    void cutsZerosIntoMaxSizedChunks() throws IOException {
        List<int[]> chunks = split(new byte[100_000]);
        assertEquals(List.of(32768, 32768, 32768, 1696), chunks.stream().map(c -> c[1]).toList());
    }

    @Test
    void givesTheSameBlobsAsBupSplit() throws Exception {
        Bup.assumeInstalled();
        Path repo = tmp.resolve("repo");
        Bup bup = new Bup(repo);
        bup.run("init");
        byte[] data = TestData.adversarial(5, 18 << 20);
        Path file = tmp.resolve("input");
        Files.write(file, data);
        List<String> expected = bup.run("split", "-b", file.toString()).out().lines().toList();
        List<String> actual = new ArrayList<>();
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        new HashSplitter(JavaChunker.INSTANCE).split(new ByteArrayInputStream(data), (buf, off, len, level) -> {
            md.update(("blob " + len + "\0").getBytes());
            md.update(buf, off, len);
            actual.add(HexFormat.of().formatHex(md.digest()));
        }, null);
        assertEquals(expected, actual);
        Exec.ok(null, "true");
    }
}
