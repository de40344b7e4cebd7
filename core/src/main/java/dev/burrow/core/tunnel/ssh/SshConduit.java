package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.tunnel.Conduit;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.client.channel.ChannelDirectTcpip;

/**
 * A {@code direct-tcpip} channel as a {@link Conduit}. The output is MINA's channel stream (it buffers until
 * {@code flush()}; closing it sends SSH EOF). The input releases window space only as it is read, so a slow reader
 * stops the remote sender. An end of input without the peer's EOF means the session died: that is reported as an
 * {@link IOException}, never as a clean end of stream, so a relay resets its client instead of passing on a
 * truncated stream as complete.
 */
final class SshConduit implements Conduit {
    private final ChannelDirectTcpip channel;
    private final InputStream input;

    SshConduit(ChannelDirectTcpip channel) {
        this.channel = channel;
        this.input = new FilterInputStream(channel.getInvertedOut()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                return b < 0 ? checkedEnd() : b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                return n < 0 ? checkedEnd() : n;
            }
        };
    }

    private int checkedEnd() throws IOException {
        if (!channel.isEofSignalled()) {
            throw new IOException("SSH session lost while relaying to " + channel.getRemoteSocketAddress());
        }
        return -1;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return channel.getInvertedIn();
    }

    @Override
    public void close() {
        // Graceful: the peer gets CHANNEL_CLOSE after anything already queued; nothing to wait for here.
        channel.close(false);
    }
}
