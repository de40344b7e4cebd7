package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Runs the real {@code bup} and {@code git} against a test repository. */
public final class BupTool {
    private final Path repo;

    public BupTool(Path repo) {
        this.repo = repo;
    }

    public Path repo() {
        return repo;
    }

    /** {@code bup init}, then returns this. */
    public static BupTool init(Path repo) throws IOException, InterruptedException {
        BupTool t = new BupTool(repo);
        t.bup("init");
        return t;
    }

    /** {@code bup index DIR} and {@code bup save -n NAME DIR}. */
    public void save(String name, Path dir, String... extra) throws IOException, InterruptedException {
        bup("index", dir.toString());
        List<String> args = new ArrayList<>(List.of("save", "-n", name));
        args.addAll(List.of(extra));
        args.add(dir.toString());
        bup(args.toArray(String[]::new));
    }

    /** Runs bup with BUP_DIR set; fails the test on a non-zero exit; returns stdout. */
    public String bup(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bup");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs git with --git-dir; fails the test on a non-zero exit; returns stdout. */
    public String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir=" + repo));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Raw stdout bytes of a command; fails the test on a non-zero exit. */
    public byte[] runBytes(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BUP_DIR", repo.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        String stderr;
        try {
            stderr = new String(err.get(), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            throw new IOException(e);
        }
        assertEquals(0, rc, () -> String.join(" ", cmd) + " failed: " + stderr);
        return out;
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * Fills {@code dir} with what a restore must get right: small, empty, executable and chunked (>100 KB
     * random) files, an empty directory, symlinks (one dangling), a hardlink group, a fifo, non-ASCII
     * names, names that need mangling ({@code foo.bup}, {@code x.bupm}), and mtimes with nanoseconds.
     */
    public static void populate(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.createDirectories(dir.resolve("emptydir"));
        Files.writeString(dir.resolve("a.txt"), "hello\n");
        Files.write(dir.resolve("empty"), new byte[0]);
        byte[] big = new byte[150_000];
        new Random(42).nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);
        Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("sub/foo.bup"), "not a chunk tree\n");
        Files.writeString(dir.resolve("sub/x.bupm"), "not metadata\n");
        Files.writeString(dir.resolve("sub/deeper/Ünïcödé €.txt"), "ü\n");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("a.txt"));
        Files.createSymbolicLink(dir.resolve("sub/dangling"), Path.of("../nowhere/at all"));
        Files.writeString(dir.resolve("h1"), "linked\n");
        Files.createLink(dir.resolve("sub/h2"), dir.resolve("h1"));
        Files.createLink(dir.resolve("h3"), dir.resolve("h1"));
        Process p = new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start();
        assertEquals(0, p.waitFor(), "mkfifo");
        long base = 1_600_000_000L;
        int i = 0;
        List<Path> all = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(all::add);
        }
        List<String> touch = new ArrayList<>();
        for (Path f : all) {
            // touch -h uses utimensat without following symlinks and without opening the file: Java's
            // setTimes opens it, which blocks on a fifo.
            long secs = base + 1000L * i++;
            touch.clear();
            touch.addAll(List.of("touch", "-h", "-d", "@" + secs + "." + (123_456_789L + i), f.toString()));
            assertEquals(0, new ProcessBuilder(touch).inheritIO().start().waitFor(), "touch " + f);
        }
    }

    public String run(List<String> cmd) throws IOException, InterruptedException {
        return new String(runBytes(cmd), StandardCharsets.UTF_8);
    }
}
