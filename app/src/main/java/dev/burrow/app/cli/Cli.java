package dev.burrow.app.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs one {@code burrow} command line in-process and returns its exit code: 0 on success, 1 when the command
 * failed or skipped something, 2 for usage errors. Errors are one line, {@code burrow: MESSAGE}, on stderr; with
 * {@code BURROW_DEBUG=1} the stack trace follows.
 *
 * <p>Blocks until the command is done. A command is cancelled by interrupting the calling thread.
 */
public final class Cli {
    private static final Pattern COMPRESSION_FLAG = Pattern.compile("-[0-9]");
    private static final Set<String> COMPRESSING_COMMANDS = Set.of("save", "split");
    /** The subcommands, by name, in the order the help lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private final CliContext context;

    public Cli(CliContext context) {
        this.context = context;
    }

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("init", InitCommand::new);
        commands.put("save", SaveCommand::new);
        commands.put("split", SplitCommand::new);
        commands.put("ls", LsCommand::new);
        commands.put("restore", RestoreCommand::new);
        commands.put("join", JoinCommand::new);
        commands.put("fsck", FsckCommand::new);
        commands.put("tunnel", TunnelCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    public int execute(String... args) {
        WarmUp.startFor(commandName(List.of(args)));
        return commandLine(List.of(args)).execute(rewriteCompressionFlags(args));
    }

    /** The top-level help, on stdout. */
    public void printHelp() {
        commandLine(List.of()).usage(context.out());
    }

    CommandLine commandLine(List<String> argv) {
        CommandLine commandLine = new CommandLine(new BurrowCommand(context, argv));
        // picocli reads every command's annotations by reflection when it is added, in the interpreter, before
        // the JIT has seen any of it: all eight took about 0.1 s of each run's start, which counts in every short
        // command and every save. A command line that names a command gets only that one; anything else (the
        // help, an unknown word, no command) gets them all, so the help and the errors are the same.
        String named = commandName(argv);
        for (var command : COMMANDS.entrySet()) {
            if (named == null || named.equals(command.getKey())) {
                commandLine.addSubcommand(command.getValue().get());
            }
        }
        commandLine.setOut(writer(context.out()));
        commandLine.setErr(writer(context.err()));
        commandLine.setExecutionExceptionHandler(this::onFailure);
        commandLine.setParameterExceptionHandler(this::onUsageError);
        return commandLine;
    }

    /** The first word that is neither an option nor {@code -d}'s value, if it names a command; else null. */
    static String commandName(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.equals("-d")) {
                i++;
            } else if (arg.equals("--")) {
                return null;
            } else if (!arg.startsWith("-")) {
                return COMMANDS.containsKey(arg) ? arg : null;
            }
        }
        return null;
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, stream.charset()), true);
    }

    /**
     * bup's {@code -#}: {@code -0} to {@code -9} after {@code save} or {@code split} mean {@code --compress=N}.
     * picocli has no digit options, so they are rewritten before parsing.
     */
    static String[] rewriteCompressionFlags(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        boolean inCommand = false;
        boolean endOfOptions = false;
        for (String arg : args) {
            if (inCommand && !endOfOptions && COMPRESSION_FLAG.matcher(arg).matches()) {
                out.add("--compress=" + arg.substring(1));
                continue;
            }
            if (arg.equals("--")) {
                endOfOptions = true;
            }
            if (COMPRESSING_COMMANDS.contains(arg)) {
                inCommand = true;
            }
            out.add(arg);
        }
        return out.toArray(String[]::new);
    }

    private int onFailure(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintStream err = context.err();
        err.println("burrow: " + ErrorMessages.describe(e));
        if (context.debug()) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private int onUsageError(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        boolean root = commandLine.getCommandSpec().parent() == null;
        String message;
        if (root && e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().getFirst() + "'; see 'burrow --help'";
        } else {
            message = e.getMessage() + "; see '" + commandLine.getCommandSpec().qualifiedName() + " --help'";
        }
        context.err().println("burrow: " + message);
        if (context.debug()) {
            e.printStackTrace(context.err());
        }
        context.err().flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }
}
