package dev.burrow.core.testing;

import dev.burrow.core.tunnel.Conduit;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A {@link Conduit} without SSH, for test dialers: over given streams, or over a plain socket whose output half-closes
 * it when closed, as an SSH channel's EOF does.
 */
public final class PlainConduit implements Conduit {
    private final InputStream in;
    private final OutputStream out;
    private final Closeable onClose;

    /** {@link #close()} runs {@code onClose}; closing {@code out} is up to that stream. */
    public PlainConduit(InputStream in, OutputStream out, Closeable onClose) {
        this.in = in;
        this.out = out;
        this.onClose = onClose;
    }

    /** The socket's streams; closing the output shuts down the socket's output, {@link #close()} closes it. */
    public static PlainConduit over(Socket socket) throws IOException {
        OutputStream raw = socket.getOutputStream();
        OutputStream halfClosing = new FilterOutputStream(raw) {
            // FilterOutputStream would write an array one byte at a time.
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                raw.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                socket.shutdownOutput();
            }
        };
        return new PlainConduit(socket.getInputStream(), halfClosing, socket);
    }

    @Override
    public InputStream input() {
        return in;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        onClose.close();
    }
}
