package dev.burrow.core.tunnel.socks;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * The SOCKS5 wire format of RFC 1928 for a server that offers only "no authentication" and only CONNECT: the method
 * negotiation, the request, and the replies. Domain names are passed on unresolved, so the remote side resolves
 * them.
 */
final class Socks5Handshake {
    static final int VERSION = 5;
    static final int NO_AUTH = 0x00;
    static final int NO_ACCEPTABLE_METHOD = 0xFF;
    static final int CMD_CONNECT = 1;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    static final int REPLY_SUCCEEDED = 0;
    static final int REPLY_GENERAL_FAILURE = 1;
    static final int REPLY_NOT_ALLOWED = 2;
    static final int REPLY_NETWORK_UNREACHABLE = 3;
    static final int REPLY_HOST_UNREACHABLE = 4;
    static final int REPLY_CONNECTION_REFUSED = 5;
    static final int REPLY_TTL_EXPIRED = 6;
    static final int REPLY_COMMAND_NOT_SUPPORTED = 7;
    static final int REPLY_ADDRESS_TYPE_NOT_SUPPORTED = 8;

    /** A protocol violation or unsupported request; {@link #reply} is the code to send, or -1 for none. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;
        final int reply;

        ProtocolException(String message, int reply) {
            super(message);
            this.reply = reply;
        }
    }

    /** A CONNECT request: {@code host} is an IP literal or a name. */
    record Request(String host, int port) { }

    private Socks5Handshake() { }

    /** Reads the greeting and answers it; fails if the client does not offer "no authentication". */
    static void negotiate(InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int version = data.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException("not a SOCKS5 client (version byte " + version + ")", -1);
        }
        int count = data.readUnsignedByte();
        byte[] methods = new byte[count];
        data.readFully(methods);
        boolean noAuth = false;
        for (byte method : methods) {
            noAuth |= method == NO_AUTH;
        }
        out.write(new byte[] {VERSION, (byte) (noAuth ? NO_AUTH : NO_ACCEPTABLE_METHOD)});
        out.flush();
        if (!noAuth) {
            throw new ProtocolException("SOCKS5 client offers no method without authentication", -1);
        }
    }

    /** Reads the request after {@link #negotiate}. */
    static Request readRequest(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int version = data.readUnsignedByte();
        int command = data.readUnsignedByte();
        data.readUnsignedByte(); // reserved
        int type = data.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException("bad SOCKS5 request version " + version, REPLY_GENERAL_FAILURE);
        }
        String host = switch (type) {
            case ATYP_IPV4 -> {
                byte[] address = new byte[4];
                data.readFully(address);
                yield InetAddress.getByAddress(address).getHostAddress();
            }
            case ATYP_IPV6 -> {
                byte[] address = new byte[16];
                data.readFully(address);
                yield ((Inet6Address) InetAddress.getByAddress(address)).getHostAddress();
            }
            case ATYP_DOMAIN -> {
                byte[] name = new byte[data.readUnsignedByte()];
                data.readFully(name);
                yield new String(name, StandardCharsets.US_ASCII);
            }
            default -> throw new ProtocolException("SOCKS5 address type " + type + " is not supported",
                    REPLY_ADDRESS_TYPE_NOT_SUPPORTED);
        };
        int port = data.readUnsignedShort();
        if (command != CMD_CONNECT) {
            throw new ProtocolException("SOCKS5 command " + command + " is not supported (only CONNECT)",
                    REPLY_COMMAND_NOT_SUPPORTED);
        }
        if (host.isEmpty() || port == 0) {
            throw new ProtocolException("SOCKS5 request without host or port", REPLY_GENERAL_FAILURE);
        }
        return new Request(host, port);
    }

    /** A reply with the bound address 0.0.0.0:0: clients of CONNECT do not use it, and the real one is remote. */
    static void reply(OutputStream out, int code) throws IOException {
        out.write(new byte[] {VERSION, (byte) code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0});
        out.flush();
    }
}
