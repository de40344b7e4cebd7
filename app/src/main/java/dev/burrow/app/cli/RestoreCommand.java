package dev.burrow.app.cli;

import dev.burrow.core.restore.RestoreOptions;
import dev.burrow.core.restore.RestoreResult;
import dev.burrow.core.restore.Restorer;
import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code burrow restore}: copies files out of snapshots, as {@code bup restore} does. */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Restore files and directories from snapshots into DEST.")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Option(names = {"-C", "--outdir"}, paramLabel = "DEST", defaultValue = ".",
            description = "Directory to restore into (default: the current directory).")
    Path destination;

    @Option(names = "--numeric-ids", description = "Restore numeric user and group ids, not names.")
    boolean numericIds;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "What to restore, e.g. /NAME/latest/home/me.")
    List<String> paths;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Repository repo = parent.openRepository();
        try (ProgressMeter meter = ProgressMeter.start(parent.context())) {
            RestoreResult result = Restorer.restore(repo, paths, CommandPaths.absolute(destination), options(), meter);
            meter.finish(Summary.restore(result, meter.elapsed()));
            return result.warnings() > 0 ? 1 : 0;
        }
    }

    RestoreOptions options() {
        // Owners are restored by name (by id with --numeric-ids), and only when running as root, as bup does.
        return new RestoreOptions(true, numericIds);
    }
}
