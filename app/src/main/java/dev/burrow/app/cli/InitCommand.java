package dev.burrow.app.cli;

import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code burrow init}: creates the repository, as {@code bup init} does. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create the repository (an empty or missing directory), or check that it is one.")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Override
    public Integer call() throws IOException {
        Repository repo = Repository.init(parent.repositoryDirectory());
        parent.context().out().println("Initialized Burrow repository in " + repo.directory());
        return 0;
    }
}
