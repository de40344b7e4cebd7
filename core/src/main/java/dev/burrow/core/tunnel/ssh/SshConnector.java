package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.tunnel.ssh.io.SingleThreadIoServiceFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientUserAuthServiceFactory;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Makes authenticated SSH sessions to one server with one MINA {@link SshClient}, configured for a tunnel:
 * heartbeats instead of an idle timeout, TCP_NODELAY, AES-GCM first (the JDK has AES-GCM intrinsics), large channel
 * windows, strict known_hosts checking. Failures become one exception type each: {@link SshUnreachableException},
 * {@link UnknownHostKeyException}, {@link HostKeyChangedException}, {@link SshAuthenticationException}.
 *
 * <p>Thread safe; {@link #connect()} blocks. Closing stops the client and every session it made.
 */
final class SshConnector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SshConnector.class.getName());

    /** Cipher preference: GCM (hardware AES + CLMUL in the JDK) before ChaCha20, CTR for old servers. */
    static final List<NamedFactory<Cipher>> CIPHERS = List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
            BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes128ctr, BuiltinCiphers.aes256ctr);

    private final SshEndpoint endpoint;
    private final SshSettings settings;
    private final SshIdentities identities;
    private final SshClient client;
    /** The server's address from the last successful look-up, keeping the host name for known_hosts. */
    private volatile InetAddress resolved;
    private final Map<ClientSession, HostKeyException> refusals = new ConcurrentHashMap<>();

    SshConnector(SshEndpoint endpoint, SshSettings settings, SshIdentities identities, Path knownHosts,
                 HostKeyPolicy policy) throws IOException {
        this.endpoint = endpoint;
        this.settings = settings;
        this.identities = identities;
        client = SshClient.setUpDefaultClient();
        CoreModuleProperties.WINDOW_SIZE.set(client, settings.windowSize());
        CoreModuleProperties.MAX_PACKET_SIZE.set(client, (long) settings.packetSize());
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.heartbeat());
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, settings.heartbeatMisses());
        // The 10-minute default idle timeout would silently kill a quiet tunnel; heartbeats detect dead peers.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, java.time.Duration.ZERO);
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.SOCKET_KEEPALIVE.set(client, true);
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, settings.connectTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(client, settings.authTimeout());
        CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(client, settings.writeStall());
        client.setCipherFactories(CIPHERS);
        client.setServerKeyVerifier(HostKeyCheck.verifier(knownHosts, policy, endpoint, refusals));
        // ~/.ssh/config was applied by the caller; MINA must not read it again, nor load default keys itself.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setFilePasswordProvider(FilePasswordProvider.EMPTY);
        if (identities.agentSocket() != null) {
            client.setAgentFactory(SocketAgent.factory(identities.agentSocket()));
        }
        // One I/O thread per session instead of NIO2's hand-offs between threads (see SingleThreadIoSession).
        client.setIoServiceFactoryFactory(SingleThreadIoServiceFactory.FACTORY);
        // Direct-tcpip channels of our own on MINA's session (see DirectTcpipStream).
        client.setServiceFactories(List.of(ClientUserAuthServiceFactory.INSTANCE, TunnelConnectionService.FACTORY));
        client.start();
    }

    SshEndpoint endpoint() {
        return endpoint;
    }

    /** A new authenticated session. */
    ClientSession connect() throws IOException {
        ClientSession session;
        try {
            session = client.connect(endpoint.user(), new InetSocketAddress(resolve(), endpoint.port()))
                    .verify(settings.connectTimeout()).getSession();
        } catch (IOException | RuntimeException e) {
            throw new SshUnreachableException(endpoint.host(), endpoint.port(), reason(e), e);
        }
        try {
            for (KeyPair key : identities.keys()) {
                session.addPublicKeyIdentity(key);
            }
            session.auth().verify(settings.authTimeout());
        } catch (IOException | RuntimeException e) {
            HostKeyException refusal = refusals.remove(session);
            closeQuietly(session, e);
            if (refusal != null) {
                refusal.addSuppressed(e);
                throw refusal;
            }
            String message = String.valueOf(rootCause(e).getMessage());
            if (message.contains("No more authentication methods") || message.contains("authentication")) {
                throw new SshAuthenticationException(endpoint.user(), endpoint.host(), endpoint.port(),
                        identities.described(), e);
            }
            throw new SshUnreachableException(endpoint.host(), endpoint.port(), "SSH handshake failed: " + message, e);
        }
        refusals.remove(session);
        if (settings.requestPty()) {
            openIdleTerminal(session);
        }
        LOG.log(System.Logger.Level.INFO, () -> "SSH session to " + endpoint + " is up, cipher "
                + session.getNegotiatedKexParameter(org.apache.sshd.common.kex.KexProposalOption.S2CENC));
        return session;
    }

    /**
     * Looks the server up, falling back to the last known address when the look-up fails: with {@code --dns} the
     * resolver is captured into the tunnel, so while the session is down a fresh look-up cannot succeed (the
     * bootstrap loop of spec section 8). The address keeps the name, so known_hosts is still checked by name.
     */
    private InetAddress resolve() throws SshUnreachableException {
        try {
            InetAddress address = InetAddress.getByName(endpoint.host());
            InetAddress named = InetAddress.getByAddress(endpoint.host(), address.getAddress());
            resolved = named;
            return named;
        } catch (UnknownHostException e) {
            InetAddress last = resolved;
            if (last != null) {
                LOG.log(System.Logger.Level.INFO, () -> "cannot look up " + endpoint.host() + " (" + e.getMessage()
                        + "); using its last address " + last.getHostAddress());
                return last;
            }
            throw new SshUnreachableException(endpoint.host(), endpoint.port(), "unknown host name", e);
        }
    }

    /**
     * Opens a shell channel with a pty and leaves it idle. OpenSSH's sshd switches its socket to TCP_NODELAY only
     * for sessions with a terminal; without it every channel-open confirmation waits for a delayed ACK (~40 ms per
     * new connection). Servers that refuse a pty or a shell still work, just slower to open channels.
     */
    private void openIdleTerminal(ClientSession session) {
        try {
            ChannelShell shell = session.createShellChannel();
            shell.setUsePty(true);
            shell.setOut(OutputStream.nullOutputStream());
            shell.setErr(OutputStream.nullOutputStream());
            shell.open().verify(settings.openTimeout());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "no terminal on " + endpoint + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(ClientSession session, Exception first) {
        try {
            session.close();
        } catch (IOException e) {
            first.addSuppressed(e);
        }
    }

    static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            switch (t) {
                case ConnectException c -> {
                    return "connection refused (is sshd running on that port?)";
                }
                case NoRouteToHostException n -> {
                    return "no route to host";
                }
                case UnknownHostException u -> {
                    return "unknown host name";
                }
                case UnresolvedAddressException u -> {
                    return "unknown host name";
                }
                case SocketTimeoutException s -> {
                    return "timed out";
                }
                default -> { }
            }
        }
        String message = rootCause(e).getMessage();
        if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
            return "timed out";
        }
        return message == null ? rootCause(e).getClass().getSimpleName() : message;
    }

    @Override
    public void close() throws IOException {
        client.stop();
        client.close();
    }
}
