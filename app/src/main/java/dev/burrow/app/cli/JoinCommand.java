package dev.burrow.app.cli;

import dev.burrow.core.browse.Join;
import dev.burrow.core.store.Repository;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code burrow join}: writes what {@code split} stored back to standard output, as {@code bup join} does. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Write the content of branches or objects (from split) to standard output.")
final class JoinCommand implements Callable<Integer> {
    @ParentCommand
    BurrowCommand parent;

    @Parameters(arity = "1..*", paramLabel = "NAME|ID", description = "A branch name or an object id.")
    List<String> refs;

    @Override
    public Integer call() throws IOException {
        Repository repo = parent.openRepository();
        try (ProgressMeter meter = ProgressMeter.start(parent.context())) {
            // Not closed: that would close our stdout.
            CountingStream counter = new CountingStream(parent.context().out(), meter);
            OutputStream out = new BufferedOutputStream(counter, 1 << 16);
            for (String ref : refs) {
                meter.working(ref);
                Join.join(repo, ref, out);
            }
            out.flush();
            meter.finish(Summary.join(counter.count, meter.elapsed()));
            return 0;
        }
    }

    /** Counts bytes on their way to stdout and reports them as progress. */
    private static final class CountingStream extends FilterOutputStream {
        private final ProgressMeter meter;
        long count;

        CountingStream(OutputStream out, ProgressMeter meter) {
            super(out);
            this.meter = meter;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            meter.progress(++count, 0);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            meter.progress(count, 0);
        }
    }
}
