package dev.burrow.core.tunnel.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * One nftables table that lives exactly as long as this process: loaded through a long-lived {@code nft -i}
 * child whose standard input we hold open.
 *
 * <p>How it is removed. The table carries {@code flags owner}: the kernel deletes it when the netlink socket
 * that created it closes, i.e. when the {@code nft} child exits. The child exits when it reads EOF on stdin,
 * and the only writer of that pipe is this JVM, so the table goes away when we close it, when the JVM exits,
 * and also when the JVM is killed with SIGKILL (the kernel closes the pipe) — no shutdown hook needed. A plain
 * {@code nft -f} cannot do this: its socket, and so its owned table, would vanish when it exits. An owned table
 * can be changed only through its owner's socket, so the delete on {@link #close()} goes through the same child.
 *
 * <p>Fallback: if the kernel or nft rejects {@code flags owner} (kernels before 5.12), the table is loaded
 * without it; a shutdown hook deletes it on normal exit, and {@link StaleTables} removes tables of dead
 * processes at the next start.
 *
 * <p>Knowing whether a load worked: nft -i prints nothing on success. After the ruleset we send
 * {@code list table inet NAME}: its listing on stdout (ending with a "}" line) means success; the echo of that
 * command on stderr means it failed, and the error lines before it say why.
 */
final class NftTable implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NftTable.class.getName());
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<Line> lines;
    private final boolean owned;
    private final Thread shutdownHook;
    private boolean closed;

    private record Line(boolean error, String text) {
    }

    private NftTable(String name, Process process, BlockingQueue<Line> lines, boolean owned) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.lines = lines;
        this.owned = owned;
        this.shutdownHook = owned ? null : Thread.ofPlatform().unstarted(() -> deleteWithOneShotNft(name));
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    String name() {
        return name;
    }

    /** Whether the kernel removes the table by itself when this process dies. */
    boolean owned() {
        return owned;
    }

    /**
     * Loads the table. {@code script} renders the table with or without {@code flags owner} (its argument is 1 for
     * owner, 0 for without).
     */
    static NftTable install(String name, IntFunction<String> script) throws CaptureException {
        String nft = findNft();
        List<String> firstError;
        try {
            NftTable table = tryInstall(nft, name, script.apply(1), true);
            if (table != null) {
                return table;
            }
        } catch (LoadFailure e) {
            if (e.permission()) {
                throw e.toCaptureException(name);
            }
            firstError = e.errors;
            LOG.log(System.Logger.Level.WARNING, "nft refused an owned table ({0}); using a table removed on exit",
                    String.join(" ", firstError));
        }
        try {
            NftTable table = tryInstall(nft, name, script.apply(0), false);
            if (table != null) {
                return table;
            }
        } catch (LoadFailure e) {
            throw e.toCaptureException(name);
        }
        throw new CaptureException("nft did not answer within " + LOAD_TIMEOUT.toSeconds()
                + " s while loading table " + name + ": check that nftables works (nft list tables)");
    }

    /** Thrown inside {@link #install} for a load that nft reported as failed. */
    private static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<String> errors;

        LoadFailure(List<String> errors) {
            super(String.join("\n", errors));
            this.errors = errors;
        }

        boolean permission() {
            return errors.stream().anyMatch(l -> l.contains("Operation not permitted"));
        }

        CaptureException toCaptureException(String table) {
            if (permission()) {
                return new CaptureException("installing capture rules needs root (CAP_NET_ADMIN): run burrow tunnel"
                        + " as root, or use --method socks");
            }
            String first = errors.stream().filter(l -> l.startsWith("Error")).findFirst()
                    .orElse(errors.isEmpty() ? "no message" : errors.getFirst());
            return new CaptureException("nft refused capture table " + table + ": " + first);
        }
    }

    private static NftTable tryInstall(String nft, String name, String script, boolean owner)
            throws CaptureException, LoadFailure {
        Process process;
        try {
            process = new ProcessBuilder(nft, "-i").start();
        } catch (IOException e) {
            throw new CaptureException("cannot start " + nft + ": " + e.getMessage()
                    + ": install nftables, or use --method socks", e);
        }
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        pump(process.getInputStream(), false, lines, name);
        pump(process.getErrorStream(), true, lines, name);
        NftTable table = new NftTable(name, process, lines, owner);
        boolean ok = false;
        try {
            String marker = "list table inet " + name;
            table.send(script + "\n" + marker + "\n");
            List<String> errors = new ArrayList<>();
            int eofs = 0;
            long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
            while (true) {
                Line line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    return null;
                }
                if (line.text() == null) {
                    // One of the streams ended: nft exited (e.g. it could not open its netlink socket).
                    if (++eofs == 2) {
                        throw new LoadFailure(errors.isEmpty() ? List.of("nft exited") : errors);
                    }
                } else if (line.error()) {
                    if (line.text().strip().equals(marker)) {
                        // The listing failed, so the load did: drop the listing's own error line.
                        errors.removeIf(String::isBlank);
                        if (errors.size() > 1) {
                            errors.removeLast();
                        }
                        throw new LoadFailure(errors);
                    }
                    errors.add(line.text());
                } else if (line.text().equals("}") && eofs == 0) {
                    if (!errors.isEmpty()) {
                        LOG.log(System.Logger.Level.WARNING, "nft: {0}", String.join(" ", errors));
                    }
                    ok = true;
                    return table;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while loading table " + name, e);
        } catch (IOException e) {
            throw new CaptureException("nft stopped while loading table " + name + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                table.close();
            }
        }
    }

    private void send(String text) throws IOException {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /**
     * Reads one of the child's pipes into {@code lines}. A platform thread, not a virtual one: a read on a process
     * pipe blocks in native code and pins its carrier for the table's whole life; two such readers took both
     * carriers of a 2-core machine and starved every captured connection (found by bench/tunnel-bench.sh).
     */
    private static void pump(InputStream in, boolean error, BlockingQueue<Line> lines, String name) {
        Thread.ofPlatform().daemon().name("burrow-nft-" + (error ? "err-" : "out-") + name).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(new Line(error, line));
                }
            } catch (IOException e) {
                // The child went away; the end-of-stream line below tells the reader.
            }
            lines.add(new Line(error, null));
        });
    }

    /**
     * Deletes the table and lets the nft child exit. Idempotent. After this returns the table is gone (or the
     * child was destroyed, which removes an owned table too).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            send("delete table inet " + name + "\n");
            stdin.close();
        } catch (IOException e) {
            // nft already exited: an owned table went with it; a plain one is deleted below.
        }
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (shutdownHook != null) {
            deleteWithOneShotNft(name);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook itself is running or has run.
            }
        }
    }

    /** {@code nft delete table inet NAME} in a fresh process; a missing table is fine. */
    static void deleteWithOneShotNft(String name) {
        try {
            Process p = new ProcessBuilder(findNft(), "delete", "table", "inet", name)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete nft table {0}: {1}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The nft binary: from PATH, then the sbin directories a non-login root shell may lack. */
    static String findNft() throws CaptureException {
        List<Path> candidates = new ArrayList<>();
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nft"));
            }
        }
        candidates.add(Path.of("/usr/sbin/nft"));
        candidates.add(Path.of("/sbin/nft"));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new CaptureException("nft (nftables) not found in PATH, /usr/sbin or /sbin: install nftables"
                + " (apt-get install nftables), or use --method socks");
    }
}
