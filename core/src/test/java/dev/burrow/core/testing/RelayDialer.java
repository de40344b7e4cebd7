package dev.burrow.core.testing;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A {@link Dialer} over plain TCP to a {@link LabRelay}: test code only, standing in for the SSH transport. */
public final class RelayDialer implements Dialer {
    private final InetSocketAddress relay;

    public RelayDialer(InetSocketAddress relay) {
        this.relay = relay;
    }

    @Override
    public Conduit dial(InetSocketAddress source, String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(relay, 5000);
            socket.setTcpNoDelay(true);
            socket.getOutputStream().write((host + " " + port + "\n").getBytes(StandardCharsets.UTF_8));
            String answer = LabRelay.readLine(socket.getInputStream());
            if (!answer.equals("OK")) {
                throw new IOException("relay could not reach " + host + ":" + port + ": " + answer);
            }
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return PlainConduit.over(socket);
    }
}
