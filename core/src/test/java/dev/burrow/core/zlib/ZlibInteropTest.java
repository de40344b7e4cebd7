package dev.burrow.core.zlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.backup.PathRewrite;
import dev.burrow.core.backup.SaveRequest;
import dev.burrow.core.backup.Saver;
import dev.burrow.core.restore.RestoreOptions;
import dev.burrow.core.restore.RestoreResult;
import dev.burrow.core.restore.Restorer;
import dev.burrow.core.spi.ProgressListener;
import dev.burrow.core.store.Repository;
import dev.burrow.core.testing.Bup;
import dev.burrow.core.testing.ChildJvm;
import dev.burrow.core.testing.RestoreMain;
import dev.burrow.core.testing.SampleTree;
import dev.burrow.core.testing.SaveMain;
import dev.burrow.core.testing.TreeDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories written with one zlib and read with the other: a save forced to the JDK's zlib (in a child JVM, as the
 * choice is made once per JVM) read by git, bup and this JVM's choice, and the other way round. Where libdeflate is
 * not installed both sides are the JDK's, and the test still checks the forced fallback end to end.
 */
class ZlibInteropTest {
    private static final List<String> FORCE_JDK = List.of("-D" + Zlib.PROPERTY + "=jdk");

    @TempDir
    Path tmp;

    private static String child(Class<?> main, String... args) throws Exception {
        Process p = ChildJvm.start(FORCE_JDK, main, List.of(args));
        String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), main.getSimpleName() + " did not finish");
        assertEquals(0, p.exitValue(), result);
        return result;
    }

    /** A sample tree to save at {@code tmp/src}, and an empty repository. */
    private Repository sample() throws Exception {
        Bup.assumeInstalled();
        SampleTree.create(tmp.resolve("src"), 3 << 20);
        return Repository.init(tmp.resolve("repo"));
    }

    @Test
    void aSaveWithTheJdkZlibIsReadByGitBupAndThisJvm() throws Exception {
        Repository repo = sample();
        Path src = tmp.resolve("src");
        String saved = child(SaveMain.class, repo.directory().toString(), "sample", src.toString());
        assertTrue(saved.lines().anyMatch(l -> l.startsWith("done ")), saved);
        Bup.assertFsckClean(repo.directory());
        String want = TreeDescription.of(src, TreeDescription.Options.ALL);

        Path byBup = Files.createDirectories(tmp.resolve("bup"));
        new Bup(repo.directory()).run("restore", "-C", byBup.toString(), "/sample/latest/.");
        assertEquals(want, TreeDescription.of(byBup, TreeDescription.Options.ALL));

        Path byUs = tmp.resolve("burrow");
        RestoreResult r = Restorer.restore(Repository.open(repo.directory()), List.of("/sample/latest/."), byUs,
                RestoreOptions.defaults(), ProgressListener.NONE);
        assertEquals(0, r.warnings());
        assertEquals(want, TreeDescription.of(byUs, TreeDescription.Options.ALL));
    }

    @Test
    void aSaveWithThisJvmsZlibIsRestoredWithTheJdkZlib() throws Exception {
        Repository repo = sample();
        Path src = tmp.resolve("src");
        Saver.save(repo, new SaveRequest("sample", List.of(src), new PathRewrite(true, null, List.of()),
                ZonedDateTime.now(), 1, List.of("save")), ProgressListener.NONE);
        Bup.assertFsckClean(repo.directory());

        Path out = tmp.resolve("out");
        String restored = child(RestoreMain.class, repo.directory().toString(), "/sample/latest/.", out.toString());
        assertTrue(restored.startsWith("done ") && restored.contains(" 0\n"), restored);
        assertEquals(TreeDescription.of(src, TreeDescription.Options.ALL),
                TreeDescription.of(out, TreeDescription.Options.ALL));
    }
}
