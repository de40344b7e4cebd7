package dev.burrow.core.tunnel.ssh;

import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.EventNotifier;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * MINA's {@code direct-tcpip} channel, except that no packet of it is ever sent after its CHANNEL_CLOSE.
 *
 * <p>MINA checks that a channel may still write and then hands the packet to the session, with nothing between the
 * two against the I/O thread that answers the server's CHANNEL_CLOSE with ours. A relay thread that passed the check
 * just before puts its DATA, window adjust or EOF after our CLOSE, and OpenSSH then disconnects the whole session
 * ("data packet referred to nonexistent channel"): every connection of the tunnel is reset and the tunnel reconnects.
 * It happened at the end of iperf3 runs with 8 streams (the target closes streams that are still uploading), in
 * about one run in three.
 *
 * <p>Here the check and the hand-off hold one lock, and a close takes it first. The I/O thread must never wait for
 * it, though: MINA makes a thread that sends channel data during a key exchange wait until the exchange is over,
 * and the I/O thread is what finishes the exchange. So when a sender holds the lock, the close is left to that
 * sender, which runs it as it lets go.
 */
final class DirectTcpipChannel extends ChannelDirectTcpip {
    private static final System.Logger LOG = System.getLogger(DirectTcpipChannel.class.getName());
    private final ReentrantLock sending = new ReentrantLock();
    /** The server's CHANNEL_CLOSE arrived (set on MINA's I/O thread). */
    private volatile boolean closeReceived;
    /** Our side closes: nothing more may be sent (guarded by {@link #sending}). */
    private boolean stopped;
    /** MINA's close handling ran (guarded by {@link #sending}). */
    private boolean closeHandled;

    private DirectTcpipChannel(SshdSocketAddress local, SshdSocketAddress remote) {
        super(local, remote);
    }

    /** A new channel of {@code session} (not opened yet), as {@code ClientSession.createDirectTcpipChannel} makes. */
    static DirectTcpipChannel create(ClientSession session, SshdSocketAddress local, SshdSocketAddress remote)
            throws IOException {
        DirectTcpipChannel channel = new DirectTcpipChannel(local, remote);
        session.getService(ConnectionService.class).registerChannel(channel);
        return channel;
    }

    /**
     * None: MINA gives every client channel handlers for the exit-status and exit-signal requests of a shell or
     * command, two more objects (each with its logger) per connection that a {@code direct-tcpip} channel never
     * uses. A server that sent such a request anyway gets MINA's "unhandled" answer.
     */
    @Override
    protected void addChannelSignalRequestHandlers(EventNotifier<String> notifier) {
    }

    @Override
    public IoWriteFuture writePacket(Buffer buffer) throws IOException {
        sending.lock();
        try {
            if (closeReceived || stopped) {
                return refused();
            }
            return super.writePacket(buffer);
        } finally {
            release();
        }
    }

    @Override
    protected IoWriteFuture sendEof() throws IOException {
        sending.lock();
        try {
            if (closeReceived || stopped) {
                return refused();
            }
            return super.sendEof();
        } finally {
            release();
        }
    }

    @Override
    public void handleClose() throws IOException {
        closeReceived = true;
        if (sending.tryLock()) {
            try {
                runClose();
            } finally {
                sending.unlock();
            }
        }
        // Otherwise the sender that holds the lock sees closeReceived after it lets go, and runs the close.
    }

    /**
     * No packet of this channel is sent once this returns; called before a local close. Waits for a sender that is
     * handing over a packet, so call it from a relay thread, never from MINA's I/O thread.
     */
    void stopSending() {
        sending.lock();
        try {
            stopped = true;
        } finally {
            sending.unlock();
        }
    }

    private IoWriteFuture refused() {
        return AbstractIoWriteFuture.fulfilled(this, new EOFException("Channel is being closed"));
    }

    /**
     * Unlocks, then runs a close that arrived meanwhile. Either the I/O thread's tryLock succeeds, or it failed while
     * the lock was held, before this unlock, so the read below sees its flag.
     */
    private void release() {
        sending.unlock();
        if (closeReceived && sending.tryLock()) {
            try {
                runClose();
            } catch (IOException e) {
                // The packet was handled; the close is MINA's business now (it logs its own failures).
                LOG.log(System.Logger.Level.DEBUG, () -> "closing " + this + " after the server's close: " + e);
            } finally {
                sending.unlock();
            }
        }
    }

    /** With {@link #sending} held. */
    private void runClose() throws IOException {
        if (!closeHandled) {
            closeHandled = true;
            super.handleClose();
        }
    }
}
