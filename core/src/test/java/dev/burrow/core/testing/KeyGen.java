package dev.burrow.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test keys made by OpenSSH's own ssh-keygen, so the tests read what users really have. */
public final class KeyGen {
    private KeyGen() { }

    /** Writes {@code dir/name} and {@code dir/name.pub}; {@code type} is ed25519, ecdsa or rsa. */
    public static Path generate(Path dir, String name, String type, String passphrase) throws IOException {
        Path key = dir.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase,
                "-C", "burrow-test-" + name, "-f", key.toString()));
        if (type.equals("rsa")) {
            command.addAll(List.of("-b", "2048"));
        }
        run(command);
        return key;
    }

    public static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(command + " failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
