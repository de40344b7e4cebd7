package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client offers for public-key authentication: the ssh-agent (if any) first, then key files loaded up
 * front. Immutable; the key pairs are shared, not copied.
 *
 * @param agentSocket the agent's Unix socket ({@code $SSH_AUTH_SOCK}), or null for no agent
 * @param keys        loaded private keys
 * @param described   a short list of what was offered, for error messages ("ssh-agent, ~/.ssh/id_ed25519")
 */
public record SshIdentities(Path agentSocket, List<KeyPair> keys, String described) {
    /** The key files OpenSSH tries when neither {@code -i} nor IdentityFile names one. */
    public static final List<String> DEFAULT_KEY_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    public SshIdentities {
        keys = List.copyOf(keys);
    }

    /**
     * Loads identities the OpenSSH way.
     *
     * @param agentSocket    {@code $SSH_AUTH_SOCK}, or null
     * @param explicit       key files from {@code -i} or IdentityFile; each must exist
     * @param sshDirectory   {@code ~/.ssh}, for the default keys, which are used only when {@code explicit} is
     *                       empty and only if present
     * @throws IOException when an explicit key is missing or unreadable; the message names the file
     */
    public static SshIdentities load(Path agentSocket, List<Path> explicit, Path sshDirectory,
                                     PassphrasePrompt prompt) throws IOException {
        List<KeyPair> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Path agent = agentSocket != null && Files.exists(agentSocket) ? agentSocket : null;
        if (agent != null) {
            names.add("ssh-agent");
        }
        List<Path> files = new ArrayList<>(explicit);
        boolean defaults = files.isEmpty();
        if (defaults) {
            for (String name : DEFAULT_KEY_NAMES) {
                Path file = sshDirectory.resolve(name);
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        }
        for (Path file : files) {
            List<KeyPair> loaded = KeyFiles.load(file, prompt);
            if (!loaded.isEmpty()) {
                keys.addAll(loaded);
                names.add(file.toString());
            }
        }
        return new SshIdentities(agent, keys, names.isEmpty() ? "no keys" : String.join(", ", names));
    }
}
