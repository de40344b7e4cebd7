package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.session.AbstractClientSession;
import org.apache.sshd.client.session.ClientConnectionService;
import org.apache.sshd.client.session.ClientConnectionServiceFactory;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * MINA's client connection service (heartbeats, global requests, MINA's own channels such as the idle terminal),
 * plus the tunnel's {@link DirectTcpipStream}s: channel messages addressed to one of those go to it, on the session's
 * I/O thread; all others take MINA's way. Both kinds draw their ids from MINA's counter, so they never collide.
 *
 * <p>When the session closes, every stream fails (a relay then resets its client), and no new one opens.
 */
final class TunnelConnectionService extends ClientConnectionService {
    /** Installs this service as the client's {@code ssh-connection}. */
    static final ClientConnectionServiceFactory FACTORY = new ClientConnectionServiceFactory() {
        @Override
        public Service create(Session session) throws IOException {
            TunnelConnectionService service = new TunnelConnectionService((AbstractClientSession) session);
            service.addPortForwardingEventListenerManager(this);
            return service;
        }
    };

    private final Map<Long, DirectTcpipStream> streams = new ConcurrentHashMap<>();
    private volatile String lost;

    private TunnelConnectionService(AbstractClientSession session) throws SshException {
        super(session);
        session.addCloseFutureListener(future -> failAll("the SSH session was lost"));
    }

    /**
     * Opens a {@code direct-tcpip} channel to {@code host:port} for a client at {@code originatorHost:originatorPort};
     * blocks until the server answers (see {@link DirectTcpipStream#open}).
     */
    DirectTcpipStream openDirectTcpip(String host, int port, String originatorHost, int originatorPort,
                                      SshSettings settings) throws IOException {
        DirectTcpipStream stream = new DirectTcpipStream(this, nextChannelId.getAndIncrement(), host, port, settings);
        streams.put(stream.id(), stream);
        // Checked after registering: a close that ran in between has either failed this stream or is seen here.
        String why = lost;
        if (why != null || isClosing()) {
            streams.remove(stream.id());
            throw new TunnelDownException((why != null ? why : "the SSH session is closing")
                    + "; cannot open a channel to " + host + ":" + port);
        }
        try {
            stream.open(originatorHost, originatorPort, settings.openTimeout());
            return stream;
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** The stream is closed both ways or was refused: its id may be reused by nobody, and nothing more is routed. */
    void forget(DirectTcpipStream stream) {
        streams.remove(stream.id(), stream);
    }

    /** Open streams, for tests and diagnostics. */
    int streamCount() {
        return streams.size();
    }

    @Override
    public void process(int cmd, Buffer buffer) throws Exception {
        if (cmd >= SshConstants.SSH_MSG_CHANNEL_OPEN_CONFIRMATION && cmd <= SshConstants.SSH_MSG_CHANNEL_FAILURE) {
            int start = buffer.rpos();
            DirectTcpipStream stream = streams.get(buffer.getUInt());
            if (stream != null) {
                stream.handle(cmd, buffer);
                return;
            }
            buffer.rpos(start);
        }
        super.process(cmd, buffer);
    }

    @Override
    protected void preClose() {
        failAll("the SSH session was closed");
        super.preClose();
    }

    private void failAll(String why) {
        if (lost == null) {
            lost = why;
        }
        for (DirectTcpipStream stream : streams.values()) {
            stream.sessionLost(why);
        }
        streams.clear();
    }
}
