package dev.burrow.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    public String run(List<String> cmd) throws IOException, InterruptedException {
        return new String(runBytes(cmd), StandardCharsets.UTF_8);
    }
}
