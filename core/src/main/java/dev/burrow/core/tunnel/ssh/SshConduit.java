package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.tunnel.Conduit;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.channel.ChannelPipedSink;

/**
 * A {@code direct-tcpip} channel as a {@link Conduit}. The output is MINA's channel stream (it buffers until
 * {@code flush()}; closing it sends SSH EOF). The input releases window space only as it is read, so a slow reader
 * stops the remote sender. An end of input without the peer's EOF means the session died: that is reported as an
 * {@link IOException}, never as a clean end of stream, so a relay resets its client instead of passing on a
 * truncated stream as complete.
 */
final class SshConduit implements Conduit {
    private final DirectTcpipChannel channel;
    private final InputStream input;

    SshConduit(DirectTcpipChannel channel) {
        this.channel = channel;
        // MINA's piped input ends only when the channel closes, not at the peer's SSH_MSG_CHANNEL_EOF. OpenSSH keeps
        // the channel open after its EOF until we send ours, so a client waiting for the end of the answer before
        // closing (any request/response protocol) would wait forever. Pass the EOF on ourselves; it arrives after
        // all of the channel's data, so the reader drains the buffer first.
        if (channel.getInvertedOut() instanceof ChannelPipedSink pipe) {
            channel.addChannelListener(new ChannelListener() {
                @Override
                public void channelStateChanged(Channel changed, String hint) {
                    if (changed.isEofSignalled()) {
                        pipe.eof();
                    }
                }
            });
            if (channel.isEofSignalled()) {
                pipe.eof();
            }
        }
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
        channel.stopSending();
        channel.close(false);
    }
}
