package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.testing.TestData;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitterTest {
    @TempDir
    Path tmp;

    private SplitResult split(Repository repo, String name, byte[] data) throws Exception {
        return Splitter.split(repo, new SplitRequest(name, List.of(), new ByteArrayInputStream(data),
                ZonedDateTime.now(), 1, List.of("split")), ProgressListener.NONE);
    }

    @Test
    void zerosGiveBupsTreeId() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        SplitResult r = split(repo, null, new byte[100_000]);
        assertEquals("198e33e995a34ca1701bd035c351ede6c1de4ff0", r.tree().name());
        assertNull(r.commit());
        Bup.assertFsckClean(repo.directory());
    }

    @Test
    void helloGivesBupsTreeId() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        assertEquals("c2c6852a36806dc8ffcd0830864e17e4f2d44592", split(repo, null, "hello\n".getBytes()).tree().name());
    }

    @Test
    void emptyInputGivesTheEmptyTree() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        assertEquals(ObjectId.EMPTY_TREE, split(repo, null, new byte[0]).tree());
    }

    @Test
    void sameTreesAndCommitTreesAsBupSplit() throws Exception {
        Bup.assumeInstalled();
        for (byte[] data : List.of(TestData.adversarial(9, 12 << 20), random(5_000_000), "x".getBytes())) {
            Path file = tmp.resolve("in");
            Files.write(file, data);
            Path bupRepo = tmp.resolve("bup-" + data.length);
            Bup bup = new Bup(bupRepo);
            bup.run("init");
            String bupTree = bup.run("split", "-t", file.toString()).out().trim();
            bup.run("split", "-n", "b", file.toString());
            String bupNamedTree = bup.git("rev-parse", "b^{tree}").out().trim();

            Repository repo = Repository.init(tmp.resolve("ours-" + data.length));
            assertEquals(bupTree, split(repo, null, data).tree().name());
            SplitResult named = split(repo, "b", data);
            assertEquals(bupNamedTree, named.tree().name());
            assertEquals(Optional.of(named.commit()), repo.readRef("refs/heads/b"));
            Bup.assertFsckClean(repo.directory());
            // bup reads what we wrote.
            Bup ours = new Bup(repo.directory());
            assertEquals(data.length, ours.run("join", "b").stdout().length);
            assertEquals(true, java.util.Arrays.equals(data, ours.run("join", "b").stdout()));
        }
    }

    @Test
    void secondSplitCommitsOnTopOfTheFirst() throws Exception {
        Repository repo = Repository.init(tmp.resolve("r"));
        SplitResult first = split(repo, "n", "one".getBytes());
        SplitResult second = split(repo, "n", "two".getBytes());
        Bup git = new Bup(repo.directory());
        assertEquals(first.commit().name(), git.git("rev-parse", "n^").out().trim());
        assertEquals(second.commit().name(), git.git("rev-parse", "n").out().trim());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
