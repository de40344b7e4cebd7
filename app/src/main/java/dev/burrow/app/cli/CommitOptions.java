package dev.burrow.app.cli;

import dev.burrow.core.store.ObjectId;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** The options {@code save} and {@code split} share, as bup names them: what to print and how to commit. */
final class CommitOptions {
    @Option(names = {"-t", "--tree"}, description = "Print the tree id.")
    boolean printTree;

    @Option(names = {"-c", "--commit"}, description = "Print the commit id.")
    boolean printCommit;

    @Option(names = "--date", paramLabel = "EPOCH_SECONDS", description = "Commit date (default: now).")
    Long date;

    @Option(names = "--compress", paramLabel = "N", defaultValue = "1",
            description = "zlib level 0-9 (default: ${DEFAULT-VALUE}); -0 ... -9 also work.")
    int compress;

    /** Prints the ids asked for; a null commit (nothing committed) prints nothing. */
    void printIds(PrintStream out, ObjectId tree, ObjectId commit) {
        if (printTree) {
            out.println(tree.name());
        }
        if (printCommit && commit != null) {
            out.println(commit.name());
        }
    }
}
