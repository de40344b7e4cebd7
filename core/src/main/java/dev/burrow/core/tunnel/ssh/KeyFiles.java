package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads OpenSSH private keys (ed25519, ecdsa, rsa; PEM or the {@code openssh-key-v1} format), asking a
 * {@link PassphrasePrompt} for encrypted ones, up to three times. Keys are loaded once, before the first connection,
 * so reconnecting never asks again.
 */
final class KeyFiles {
    static final int MAX_ATTEMPTS = 3;

    private KeyFiles() { }

    /** The key pairs in {@code file}; empty when the user skipped its passphrase. */
    static List<KeyPair> load(Path file, PassphrasePrompt prompt) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "private key not found");
        }
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString(), null, "private key not readable");
        }
        AtomicBoolean skipped = new AtomicBoolean();
        AtomicBoolean asked = new AtomicBoolean();
        FilePasswordProvider passwords = new FilePasswordProvider() {
            @Override
            public String getPassword(SessionContext session, NamedResource resource, int retryIndex) {
                char[] secret = prompt.passphrase(file.toString(), retryIndex + 1);
                if (secret == null) {
                    skipped.set(true);
                    return null;
                }
                asked.set(true);
                try {
                    return new String(secret);
                } finally {
                    Arrays.fill(secret, '\0');
                }
            }

            @Override
            public ResourceDecodeResult handleDecodeAttemptResult(SessionContext session, NamedResource resource,
                    int retryIndex, String password, Exception err) {
                if (err == null) {
                    return ResourceDecodeResult.TERMINATE;
                }
                return retryIndex + 1 < MAX_ATTEMPTS && password != null
                        ? ResourceDecodeResult.RETRY : ResourceDecodeResult.TERMINATE;
            }
        };
        List<KeyPair> keys = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()),
                    in, passwords);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (GeneralSecurityException | IOException e) {
            if (skipped.get()) {
                return List.of();
            }
            if (asked.get() || e instanceof GeneralSecurityException) {
                throw new IOException(file + ": cannot decrypt the private key: wrong passphrase", e);
            }
            throw new IOException(file + ": cannot read the private key: " + e.getMessage(), e);
        }
        return keys;
    }
}
