package dev.burrow.app.cli;

import dev.burrow.core.backup.SplitRequest;
import dev.burrow.core.backup.SplitResult;
import dev.burrow.core.backup.Splitter;
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

/** {@code burrow split}: one stream into deduplicated chunks, as {@code bup split} does. */
@Command(name = "split", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Store FILEs (concatenated) or standard input as one chunked object.")
final class SplitCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    CommitOptions commit = new CommitOptions();

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Commit the result to this branch.")
    String name;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Files to read; none or '-' reads standard input.")
    List<String> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        SplitRequest request = request();
        Repository repo = parent.openRepository();
        try (ProgressMeter meter = ProgressMeter.start(parent.context())) {
            SplitResult result = Splitter.split(repo, request, meter);
            commit.printIds(parent.context().out(), result.tree(), result.commit());
            meter.finish(Summary.split(result, meter.elapsed()));
            return 0;
        }
    }

    SplitRequest request() {
        if (name == null && !commit.printTree && !commit.printCommit) {
            throw new ParameterException(spec.commandLine(), "use one or more of -t, -c, -n");
        }
        if (commit.printCommit && name == null) {
            throw new ParameterException(spec.commandLine(), "-c needs -n NAME: a split is committed to a branch");
        }
        if (name != null && !Repository.isValidBranchName(name)) {
            throw new ParameterException(spec.commandLine(), "invalid branch name: '" + name + "'");
        }
        List<Path> inputs = new ArrayList<>();
        if (!files.equals(List.of("-"))) {
            for (String file : files) {
                if (file.equals("-")) {
                    throw new ParameterException(spec.commandLine(), "'-' (standard input) must be the only FILE");
                }
                inputs.add(CommandPaths.absolute(Path.of(file)));
            }
        }
        try {
            return new SplitRequest(name, inputs, parent.context().in(),
                    CommandPaths.commitDate(commit.date, parent.context()), commit.compress, parent.argv());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
