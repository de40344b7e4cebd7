package dev.burrow.core.tunnel.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvConfTest {
    @Test
    void nameserversInOrderWithoutLoopbackStubsDuplicatesOrNames() {
        String text = """
                # generated
                search lab
                nameserver 127.0.0.53
                nameserver 198.18.3.53
                nameserver  fe80::1%eth0
                nameserver resolver.example
                nameserver 198.18.3.53
                options edns0
                nameserver 2001:2:0:3::53
                """;
        assertEquals(List.of(InetAddress.ofLiteral("198.18.3.53"), InetAddress.ofLiteral("fe80::1"),
                InetAddress.ofLiteral("2001:2:0:3::53")), ResolvConf.nameservers(text));
    }
}
