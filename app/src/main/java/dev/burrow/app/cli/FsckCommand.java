package dev.burrow.app.cli;

import dev.burrow.core.check.Fsck;
import dev.burrow.core.check.FsckReport;
import dev.burrow.core.store.Repository;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code burrow fsck}: verifies every pack; problems go to stdout, one a line. */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = "Check the repository's packs and objects; exit 1 if anything is wrong.")
final class FsckCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Repository repo = parent.openRepository();
        ProgressMeter meter = ProgressMeter.start(parent.context());
        FsckReport report;
        try (meter) {
            report = Fsck.check(repo, meter);
        }
        // After the meter is closed, so the problems do not mix with the progress line on a terminal.
        report.problems().forEach(parent.context().out()::println);
        parent.context().out().flush();
        meter.finish(Summary.fsck(report, meter.elapsed()));
        return report.problems().isEmpty() ? 0 : 1;
    }
}
