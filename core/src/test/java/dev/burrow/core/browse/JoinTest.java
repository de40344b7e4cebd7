package dev.burrow.core.browse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.burrow.core.store.BupTool;
import dev.burrow.core.store.Repository;

class JoinTest {
    @TempDir
    static Path tmp;
    static BupTool bup;
    static Repository repo;
    static byte[] big;

    @BeforeAll
    static void split() throws Exception {
        bup = BupTool.init(tmp.resolve("repo"));
        Files.writeString(tmp.resolve("small"), "hello\n");
        Files.write(tmp.resolve("empty"), new byte[0]);
        big = new byte[3 << 20];
        new Random(3).nextBytes(big);
        Files.write(tmp.resolve("big"), big);
        for (String f : new String[] {"small", "empty", "big"}) {
            bup.bup("split", "-q", "-n", f, tmp.resolve(f).toString());
        }
        repo = Repository.open(bup.repo());
    }

    private static byte[] join(String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Join.join(repo, name, out);
        return out.toByteArray();
    }

    @Test
    void joinOfSplitBranchesGivesBackTheInput() throws Exception {
        assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), join("small"));
        assertArrayEquals(new byte[0], join("empty"));
        assertArrayEquals(big, join("big"));
        assertArrayEquals(big, join("refs/heads/big"));
    }

    @Test
    void bigSplitIsAChunkTreeNamedDataBup() throws Exception {
        assertTrue(bup.git("ls-tree", "big").contains("\tdata.bup"));
        assertTrue(bup.git("ls-tree", "small").endsWith("\tdata\n"));
    }

    @Test
    void joinByObjectIdMatchesBupJoin() throws Exception {
        String chunkTree = bup.git("rev-parse", "big:data.bup").trim();
        byte[] viaBup = bup.runBytes(java.util.List.of("bup", "join", chunkTree));
        assertArrayEquals(viaBup, join(chunkTree));
        assertArrayEquals(big, join(chunkTree));
        String commit = bup.git("rev-parse", "small").trim();
        assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), join(commit));
    }

    @Test
    void joinOfAVfsFilePath() throws Exception {
        assertArrayEquals(big, join("/big/latest/data"));
    }

    @Test
    void unknownNameListsTheSets() {
        NoSuchPathException e = assertThrows(NoSuchPathException.class, () -> join("nope"));
        assertEquals("no backup set, tag or object 'nope'; known sets: big, empty, small", e.getMessage());
    }
}
