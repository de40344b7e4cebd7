package dev.burrow.app;

import dev.burrow.app.cli.Cli;
import dev.burrow.app.cli.CliContext;
import dev.burrow.app.cli.LogSetup;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Burrow's entry point. With arguments it runs the command line; without, it prints the help (the desktop app that
 * will start here instead is not written yet).
 */
public final class Main {
    /** How long Ctrl-C waits for the command to stop cleanly before the JVM exits anyway. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    private Main() { }

    public static void main(String[] args) {
        HeapBudget.startFromProperty();
        CliContext context = CliContext.system();
        LogSetup.configure(context);
        Cli cli = new Cli(context);
        if (args.length == 0) {
            cli.printHelp();
            context.out().println();
            context.out().println("The desktop app is not available yet; use the commands above.");
            context.out().flush();
            return;
        }
        System.exit(runOnWorker(cli, args));
    }

    /**
     * Runs the command on a worker thread so that Ctrl-C (which starts the JVM's shutdown) can interrupt it: the
     * engines stop at their next check, clean up their temporary files, and the command reports "interrupted".
     */
    static int runOnWorker(Cli cli, String[] args) {
        AtomicInteger exitCode = new AtomicInteger(1);
        Thread worker = Thread.ofPlatform().name("burrow-cli").unstarted(() -> exitCode.set(cli.execute(args)));
        Thread stopper = Thread.ofPlatform().name("burrow-stop").unstarted(() -> {
            if (worker.isAlive()) {
                worker.interrupt();
                try {
                    worker.join(STOP_GRACE);
                } catch (InterruptedException e) {
                    // The JVM is going down either way; nothing is left to wait for.
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
        }
        return exitCode.get();
    }
}
