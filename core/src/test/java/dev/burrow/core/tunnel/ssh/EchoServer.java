package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP target for tests. By default it echoes until EOF, then half-closes; other behaviours are given as a
 * handler of the accepted socket's streams.
 */
final class EchoServer implements AutoCloseable {
    interface Handler {
        void handle(Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    EchoServer(InetAddress address, Handler handler) throws IOException {
        listener = new ServerSocket(0, 1024, address);
        threads.execute(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    threads.execute(() -> {
                        try (socket) {
                            handler.handle(socket, socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException e) {
                            // The test sees the effect on its side.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    static EchoServer echo(InetAddress address) throws IOException {
        return new EchoServer(address, (socket, in, out) -> {
            in.transferTo(out);
            socket.shutdownOutput();
        });
    }

    int port() {
        return listener.getLocalPort();
    }


    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}
