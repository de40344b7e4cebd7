package dev.burrow.core.tunnel.ssh;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of the user's ssh-agent over its Unix domain socket ({@code $SSH_AUTH_SOCK}), with the JDK's own
 * {@link UnixDomainSocketAddress} instead of MINA's APR-based agent client. One request at a time; the socket is
 * opened on first use and closed with the agent. Only lists identities and signs: no agent forwarding.
 */
final class SocketAgent extends AbstractAgentProxy {
    /** An agent answer is a few KiB at most; this only guards against a corrupt length. */
    private static final int MAX_MESSAGE = 256 * 1024;

    private final Path socket;
    private final ReentrantLock lock = new ReentrantLock();
    private SocketChannel channel;
    private boolean closed;

    SocketAgent(Path socket) {
        super(null);
        this.socket = socket;
    }

    @Override
    protected Buffer request(Buffer buffer) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("ssh-agent client closed");
            }
            if (channel == null) {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    channel.close();
                    channel = null;
                    throw new IOException("cannot connect to ssh-agent at " + socket + ": " + e.getMessage(), e);
                }
            }
            // The caller has already written the 4-byte length in front of the message (prepare()).
            channel.write(ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()));
            ByteBuffer header = ByteBuffer.allocate(4);
            readFully(header);
            int length = header.flip().getInt();
            if (length <= 0 || length > MAX_MESSAGE) {
                throw new IOException("bad ssh-agent message length " + length + " from " + socket);
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(body);
            return new ByteArrayBuffer(body.array());
        } finally {
            lock.unlock();
        }
    }

    private void readFully(ByteBuffer target) throws IOException {
        while (target.hasRemaining()) {
            if (channel.read(target) < 0) {
                throw new EOFException("ssh-agent at " + socket + " closed the connection");
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            if (channel != null) {
                channel.close();
                channel = null;
            }
        } finally {
            lock.unlock();
        }
        super.close();
    }

    /** Gives every session its own {@link SocketAgent} on {@code socket}. */
    static SshAgentFactory factory(Path socket) {
        return new SshAgentFactory() {
            @Override
            public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                return List.of();
            }

            @Override
            public SshAgent createClient(Session session, FactoryManager manager) {
                return new SocketAgent(socket);
            }

            @Override
            public SshAgentServer createServer(ConnectionService service) throws IOException {
                throw new IOException("agent forwarding is not supported");
            }
        };
    }
}
