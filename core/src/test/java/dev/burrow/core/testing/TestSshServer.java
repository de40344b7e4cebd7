package dev.burrow.core.testing;

import dev.burrow.core.tunnel.ssh.SshEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.forward.StaticDecisionForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An in-process MINA SSH server on 127.0.0.1 for tests: public-key auth against an authorized_keys file, a persistent
 * host key (so a restart on the same port presents the same key), and a forwarding filter that records every
 * {@code direct-tcpip} target and can refuse them all.
 */
public final class TestSshServer implements AutoCloseable {
    public final Path dir;
    public final Path authorizedKeys;
    public final Path hostKey;
    public final List<String> forwarded = new CopyOnWriteArrayList<>();
    public volatile boolean allowForwarding = true;
    /**
     * When set, the server decides on a forwarding only once the latch is released (or after 30 s), as a server
     * whose target answers slowly would.
     */
    public volatile java.util.concurrent.CountDownLatch forwardingGate;
    private SshServer server;
    private int port;

    public TestSshServer(Path dir) throws IOException {
        this.dir = dir;
        this.authorizedKeys = dir.resolve("authorized_keys");
        this.hostKey = dir.resolve("hostkey.ser");
        if (!Files.exists(authorizedKeys)) {
            Files.createFile(authorizedKeys);
        }
    }

    /** Adds {@code publicKeyFile}'s line to authorized_keys. */
    public TestSshServer authorize(Path publicKeyFile) throws IOException {
        Files.writeString(authorizedKeys, Files.readString(publicKeyFile), java.nio.file.StandardOpenOption.APPEND);
        return this;
    }

    /** Starts on {@code port} (0: any free port). */
    public TestSshServer start(int wantedPort) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(wantedPort);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(hostKey));
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedKeys));
        CoreModuleProperties.WINDOW_SIZE.set(server, 256L * 1024);
        server.setForwardingFilter(new StaticDecisionForwardingFilter(true) {
            @Override
            public boolean canConnect(TcpForwardingFilter.Type type, SshdSocketAddress address, Session session) {
                forwarded.add(address.getHostName() + ":" + address.getPort());
                java.util.concurrent.CountDownLatch gate = forwardingGate;
                if (gate != null) {
                    try {
                        gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return allowForwarding;
            }
        });
        server.start();
        port = server.getPort();
        return this;
    }

    public int port() {
        return port;
    }

    public SshEndpoint endpoint() {
        return new SshEndpoint("tester", "127.0.0.1", port);
    }

    /** Stops the server and drops every session, as a crashed or restarted server would. */
    public void stop() throws IOException {
        if (server != null) {
            server.stop(true);
            server = null;
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
