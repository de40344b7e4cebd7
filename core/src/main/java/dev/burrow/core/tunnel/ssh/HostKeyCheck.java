package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Host key verification against an OpenSSH {@code known_hosts} file: a known key passes, an unknown one is refused
 * or appended depending on the {@link HostKeyPolicy}, a changed one is always refused. A refusal is remembered per
 * session, so the connector can throw {@link UnknownHostKeyException} or {@link HostKeyChangedException} instead of
 * MINA's generic "did not validate".
 */
final class HostKeyCheck {
    private HostKeyCheck() { }

    /**
     * @param refusals receives, per session, why its host key was refused. Not a session attribute: MINA clears
     *                 those when the session closes, which races with the caller reading it.
     */
    static ServerKeyVerifier verifier(Path knownHosts, HostKeyPolicy policy, SshEndpoint endpoint,
                                      Map<ClientSession, HostKeyException> refusals) throws IOException {
        if (policy == HostKeyPolicy.ACCEPT_NEW && knownHosts.getParent() != null) {
            Files.createDirectories(knownHosts.getParent());
        }
        ServerKeyVerifier unknown = (ClientSession session, SocketAddress remote, PublicKey key) -> {
            if (policy == HostKeyPolicy.ACCEPT_NEW) {
                return true; // KnownHostsServerKeyVerifier then appends the key to the file.
            }
            refusals.put(session, new UnknownHostKeyException(endpoint.host(), endpoint.port(),
                    KeyUtils.getKeyType(key), KeyUtils.getFingerPrint(key), knownHosts));
            return false;
        };
        KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier(unknown, knownHosts);
        verifier.setModifiedServerKeyAcceptor((ClientSession session, SocketAddress remote, KnownHostEntry entry,
                PublicKey expected, PublicKey actual) -> {
            refusals.put(session, new HostKeyChangedException(endpoint.host(), endpoint.port(),
                    KeyUtils.getKeyType(actual), KeyUtils.getFingerPrint(actual), knownHosts));
            return false;
        });
        return verifier;
    }
}
