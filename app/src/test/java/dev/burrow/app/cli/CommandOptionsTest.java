package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.backup.PathRewrite;
import dev.burrow.core.backup.SaveRequest;
import dev.burrow.core.backup.SplitRequest;
import dev.burrow.core.restore.RestoreOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandOptionsTest {
    private static final Path CWD = Path.of("").toAbsolutePath();
    private static final ZonedDateTime NOW = ZonedDateTime.ofInstant(CliHarness.NOW, CliHarness.ZONE);

    private final CliHarness cli = new CliHarness(Path.of("/home/me"));

    @Test
    void saveTurnsBupOptionsIntoARequest() {
        String[] args = {"-d", "/r", "save", "-n", "home", "--graft", "/home/me=/me", "--graft", "/srv=/s",
                "--date", "1700000000", "-9", "/etc", "notes/../docs"};
        SaveCommand save = cli.parse(SaveCommand.class, args);
        assertEquals(new SaveRequest("home", List.of(Path.of("/etc"), CWD.resolve("docs")),
                new PathRewrite(false, null, List.of(new PathRewrite.Graft(Path.of("/home/me"), Path.of("/me")),
                        new PathRewrite.Graft(Path.of("/srv"), Path.of("/s")))),
                ZonedDateTime.ofInstant(Instant.ofEpochSecond(1_700_000_000L), CliHarness.ZONE), 9, List.of(args)),
                save.request());
    }

    @Test
    void saveDefaultsToNowCompressionOneAndNoRewrite() {
        SaveCommand save = cli.parse(SaveCommand.class, "save", "-n", "home", "/etc");
        assertEquals(new SaveRequest("home", List.of(Path.of("/etc")), PathRewrite.NONE, NOW, 1,
                List.of("save", "-n", "home", "/etc")), save.request());
    }

    @Test
    void saveNoIndexReadsEveryFile() {
        SaveCommand save = cli.parse(SaveCommand.class, "save", "-n", "home", "--no-index", "/etc");
        assertEquals(new SaveRequest("home", List.of(Path.of("/etc")), PathRewrite.NONE, NOW, 1,
                List.of("save", "-n", "home", "--no-index", "/etc"), false), save.request());
    }

    @Test
    void saveStripAndStripPathAndCompressOptions() {
        SaveCommand strip = cli.parse(SaveCommand.class, "save", "-n", "a", "--strip", "--compress=0", "/etc");
        SaveCommand stripPath = cli.parse(SaveCommand.class, "save", "-n", "a", "--strip-path", "/home", "/home/me");
        assertEquals(List.of(new PathRewrite(true, null, List.of()), 0,
                        new PathRewrite(false, Path.of("/home"), List.of()), 1),
                List.of(strip.request().rewrite(), strip.request().compression(),
                        stripPath.request().rewrite(), stripPath.request().compression()));
    }

    @Test
    void saveTreeAndCommitFlags() {
        SaveCommand save = cli.parse(SaveCommand.class, "save", "-t", "-c", "-n", "a", "/etc");
        assertEquals(List.of(true, true), List.of(save.commit.printTree, save.commit.printCommit));
    }

    @Test
    void saveRejectsTwoRewriteOptionsAsUsageError() {
        int code = cli.run("-d", "/nonexistent", "save", "-n", "a", "--strip", "--strip-path", "/a", "/etc");
        assertEquals(List.of(2, "burrow: --strip, --strip-path and --graft are mutually exclusive;"
                + " see 'burrow save --help'\n"), List.of(code, cli.err()));
    }

    @Test
    void saveRejectsGraftWithoutEquals() {
        int code = cli.run("save", "-n", "a", "--graft", "/a", "/etc");
        assertEquals(List.of(2, "burrow: --graft expects OLD=NEW, not '/a'; see 'burrow save --help'\n"),
                List.of(code, cli.err()));
    }

    @Test
    void saveRejectsBadCompressionLevel() {
        int code = cli.run("save", "-n", "a", "--compress", "12", "/etc");
        assertEquals(List.of(2, "burrow: compression level must be 0-9, not 12; see 'burrow save --help'\n"),
                List.of(code, cli.err()));
    }

    @Test
    void saveRejectsInvalidBranchName() {
        int code = cli.run("save", "-n", "a..b", "/etc");
        assertEquals(List.of(2, "burrow: invalid backup set name: 'a..b'; see 'burrow save --help'\n"),
                List.of(code, cli.err()));
    }

    @Test
    void splitOfFilesWithNameAndIds() {
        String[] args = {"split", "-n", "data", "-t", "-c", "--date", "0", "-5", "a.bin", "/b.bin"};
        SplitCommand split = cli.parse(SplitCommand.class, args);
        assertEquals(new SplitRequest("data", List.of(CWD.resolve("a.bin"), Path.of("/b.bin")),
                split.parent.context().in(), ZonedDateTime.ofInstant(Instant.EPOCH, CliHarness.ZONE), 5,
                List.of(args)), split.request());
    }

    @Test
    void splitOfDashReadsStandardInput() {
        SplitCommand split = cli.parse(SplitCommand.class, "split", "-t", "-");
        assertEquals(new SplitRequest(null, List.of(), split.parent.context().in(), NOW, 1,
                List.of("split", "-t", "-")), split.request());
    }

    @Test
    void splitWithoutFilesReadsStandardInput() {
        SplitCommand split = cli.parse(SplitCommand.class, "split", "-n", "x");
        assertEquals(List.of(), split.request().files());
    }

    @Test
    void splitNeedsAnOutputMode() {
        int code = cli.run("split", "file");
        assertEquals(List.of(2, "burrow: use one or more of -t, -c, -n; see 'burrow split --help'\n"),
                List.of(code, cli.err()));
    }

    @Test
    void splitCommitIdNeedsABranch() {
        int code = cli.run("split", "-c", "file");
        assertEquals(List.of(2, "burrow: -c needs -n NAME: a split is committed to a branch;"
                + " see 'burrow split --help'\n"), List.of(code, cli.err()));
    }

    @Test
    void lsOptions() {
        LsCommand ls = cli.parse(LsCommand.class, "ls", "-l", "-a", "-n", "/home/latest");
        assertEquals(List.of(true, true, true, List.of("/home/latest")),
                List.of(ls.longFormat, ls.all, ls.numericIds, ls.paths));
    }

    @Test
    void lsDefaultsToShortListingOfTheRoot() {
        LsCommand ls = cli.parse(LsCommand.class, "ls");
        assertEquals(List.of(false, false, false, List.of()),
                List.of(ls.longFormat, ls.all, ls.numericIds, ls.paths));
    }

    @Test
    void restoreOptions() {
        RestoreCommand restore = cli.parse(RestoreCommand.class, "restore", "-C", "/tmp/out", "--numeric-ids",
                "/home/latest/etc", "/home/latest/srv");
        assertEquals(List.of(Path.of("/tmp/out"), new RestoreOptions(true, true), List.of("/home/latest/etc",
                "/home/latest/srv")), List.of(restore.destination, restore.options(), restore.paths));
    }

    @Test
    void restoreDefaultsToTheCurrentDirectory() {
        RestoreCommand restore = cli.parse(RestoreCommand.class, "restore", "/home/latest");
        assertEquals(List.of(Path.of("."), new RestoreOptions(true, false)), List.of(restore.destination,
                restore.options()));
    }

    @Test
    void restoreNeedsAPath() {
        assertEquals(2, cli.run("restore", "-C", "/tmp/out"));
    }

    @Test
    void joinTakesNamesOrIds() {
        JoinCommand join = cli.parse(JoinCommand.class, "join", "data", "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        assertEquals(List.of("data", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"), join.refs);
    }

    @Test
    void fsckTakesNoArguments() {
        int code = cli.run("fsck", "extra");
        assertEquals(List.of(2, "burrow: Unmatched argument at index 1: 'extra'; see 'burrow fsck --help'\n"),
                List.of(code, cli.err()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"init", "save", "split", "ls", "restore", "join", "fsck"})
    void everyCommandHasHelp(String command) {
        int code = cli.run(command, "--help");
        assertEquals(List.of(0, "Usage: burrow " + command), List.of(code,
                cli.out().substring(0, Math.min(cli.out().length(), ("Usage: burrow " + command).length()))));
    }

    @Test
    void compressionDigitsAreRewrittenOnlyForSaveAndSplitBeforeDoubleDash() {
        assertEquals(List.of("-d", "-1", "save", "--compress=9", "--", "-9"),
                List.of(Cli.rewriteCompressionFlags(new String[] {"-d", "-1", "save", "-9", "--", "-9"})));
    }
}
