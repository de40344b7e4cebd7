package dev.burrow.app.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Runs the CLI in-process with captured streams, a chosen environment and fixed clocks. */
final class CliHarness {
    static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    static final ZoneId ZONE = ZoneOffset.ofHours(1);

    final Map<String, String> env = new HashMap<>();
    final Path home;
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private byte[] stdin = new byte[0];

    CliHarness(Path home) {
        this.home = home;
    }

    CliHarness stdin(byte[] bytes) {
        this.stdin = bytes.clone();
        return this;
    }

    CliContext context() {
        return new CliContext(env, home, new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, nanos::get, Clock.fixed(NOW, ZONE));
    }

    int run(String... args) {
        out.reset();
        err.reset();
        return new Cli(context()).execute(args);
    }

    /** The command object picocli would run for {@code args}, with its options parsed but not executed. */
    <T> T parse(Class<T> type, String... args) {
        var commandLine = new Cli(context()).commandLine(java.util.List.of(args));
        var result = commandLine.parseArgs(Cli.rewriteCompressionFlags(args));
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    byte[] outBytes() {
        return out.toByteArray();
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
