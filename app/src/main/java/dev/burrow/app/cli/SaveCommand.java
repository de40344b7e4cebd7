package dev.burrow.app.cli;

import dev.burrow.core.backup.PathRewrite;
import dev.burrow.core.backup.SaveRequest;
import dev.burrow.core.backup.SaveResult;
import dev.burrow.core.backup.Saver;
import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code burrow save}: a new snapshot of files and directories, with bup's option names. */
@Command(name = "save", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Save files and directories as a new snapshot of backup set NAME.")
final class SaveCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    CommitOptions commit = new CommitOptions();

    @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME",
            description = "Backup set: the snapshot becomes the new tip of this branch.")
    String name;

    @Option(names = "--strip", description = "Store each PATH's contents at the snapshot's root.")
    boolean strip;

    @Option(names = "--strip-path", paramLabel = "PREFIX", description = "Remove PREFIX from the stored paths.")
    Path stripPath;

    @Option(names = "--graft", paramLabel = "OLD=NEW",
            description = "Store paths under OLD as under NEW (repeatable; the first match wins).")
    List<String> grafts = new ArrayList<>();

    @Option(names = "--no-index",
            description = "Read every file, even those the index shows unchanged since the last save, and do not "
                    + "update the index.")
    boolean noIndex;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files and directories to save.")
    List<Path> paths;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SaveRequest request = request();
        Repository repo = parent.openRepository();
        try (ProgressMeter meter = ProgressMeter.start(parent.context())) {
            SaveResult result = Saver.save(repo, request, meter);
            commit.printIds(parent.context().out(), result.tree(), result.commit());
            meter.finish(Summary.save(result, meter.elapsed()));
            return result.skipped() > 0 ? 1 : 0;
        }
    }

    SaveRequest request() {
        if (!Repository.isValidBranchName(name)) {
            throw new ParameterException(spec.commandLine(), "invalid backup set name: '" + name + "'");
        }
        try {
            List<Path> sources = paths.stream().map(CommandPaths::absolute).toList();
            return new SaveRequest(name, sources, rewrite(), CommandPaths.commitDate(commit.date, parent.context()),
                    commit.compress, parent.argv(), !noIndex);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private PathRewrite rewrite() {
        List<PathRewrite.Graft> parsed = new ArrayList<>();
        for (String graft : grafts) {
            String[] parts = graft.split("=", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--graft expects OLD=NEW, not '" + graft + "'");
            }
            parsed.add(new PathRewrite.Graft(CommandPaths.absolute(Path.of(parts[0])),
                    CommandPaths.absolute(Path.of(parts[1]))));
        }
        return new PathRewrite(strip, stripPath == null ? null : CommandPaths.absolute(stripPath), parsed);
    }
}
