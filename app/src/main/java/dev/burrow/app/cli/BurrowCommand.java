package dev.burrow.app.cli;

import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code burrow [-d REPO] COMMAND}: the top-level command, holding the options every subcommand shares. Its
 * subcommands are added by {@link Cli}, which adds only the one a command line names.
 */
@Command(name = "burrow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Deduplicating backups in bup's format, and tunnels over SSH.",
        footerHeading = "%nRepository:%n",
        footer = {
                "The repository is -d DIR, else $BURROW_DIR, else $XDG_DATA_HOME/burrow/repo,",
                "else ~/.local/share/burrow/repo.",
                "Run 'burrow COMMAND --help' for a command's options.",
        })
final class BurrowCommand implements Callable<Integer> {
    private final CliContext context;
    private final List<String> argv;

    @Spec
    CommandSpec spec;

    @Option(names = "-d", paramLabel = "REPO", description = "Repository directory (see below).")
    Path repository;

    BurrowCommand(CliContext context, List<String> argv) {
        this.context = context;
        this.argv = List.copyOf(argv);
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    CliContext context() {
        return context;
    }

    /** The words after {@code burrow} on the command line, for commit messages. */
    List<String> argv() {
        return argv;
    }

    Path repositoryDirectory() {
        return RepositoryLocation.resolve(repository, context);
    }

    Repository openRepository() throws IOException {
        return Repository.open(repositoryDirectory());
    }
}
