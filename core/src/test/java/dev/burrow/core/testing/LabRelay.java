package dev.burrow.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-TCP stand-in for the SSH server's {@code direct-tcpip}, run in the lab's server namespace: a client sends
 * one line {@code HOST PORT\n}; the relay connects there, answers {@code OK\n} (or a line with the error and closes)
 * and then copies bytes both ways with half-close. Test code only: it has no authentication at all.
 *
 * <p>Usage: {@code LabRelay ADDRESS PORT}; prints {@code READY} once listening; runs until killed.
 */
public final class LabRelay {
    private LabRelay() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket();
                ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor()) {
            server.bind(new InetSocketAddress(InetAddress.ofLiteral(args[0]), Integer.parseInt(args[1])), 4096);
            System.out.println("READY");
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            }
        }
    }

    private static void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String header = readLine(in);
            String[] parts = header.split(" ");
            try (Socket target = new Socket()) {
                try {
                    target.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 5000);
                } catch (IOException e) {
                    out.write(("ERR " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                target.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                out.write("OK\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                StreamPipe.both(in, out, () -> shutdownOutput(client), target.getInputStream(),
                        target.getOutputStream(), () -> shutdownOutput(target), () -> {
                            closeQuietly(client);
                            closeQuietly(target);
                        });
            }
        } catch (IOException | RuntimeException e) {
            // One failed relay: the client sees the connection close.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed before the header line ended");
            }
            line.append((char) c);
        }
        return line.toString();
    }

    static void shutdownOutput(Socket s) {
        try {
            s.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(s);
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already failing: nothing more to do.
        }
    }
}
