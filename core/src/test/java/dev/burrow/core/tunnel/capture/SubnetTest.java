package dev.burrow.core.tunnel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SubnetTest {
    @Test
    void ipv4PrefixClearsHostBits() {
        assertEquals(new Subnet(InetAddress.ofLiteral("198.18.2.0"), 24, null), Subnet.parse("198.18.2.77/24"));
    }

    @Test
    void bareAddressIsAHostPrefix() {
        assertEquals(new Subnet(InetAddress.ofLiteral("198.18.2.2"), 32, null), Subnet.parse("198.18.2.2"));
        assertEquals(new Subnet(InetAddress.ofLiteral("2001:2::2"), 128, null), Subnet.parse("2001:2::2"));
    }

    @Test
    void shorthandZeroSlashZeroIsEverything() {
        assertEquals(new Subnet(InetAddress.ofLiteral("0.0.0.0"), 0, null), Subnet.parse("0/0"));
    }

    @Test
    void portsFollowTheIpv4PrefixOrTheBracketedIpv6One() {
        assertEquals(new Subnet(InetAddress.ofLiteral("198.18.2.0"), 24, new PortRange(80, 90)),
                Subnet.parse("198.18.2.0/24:80-90"));
        assertEquals(new Subnet(InetAddress.ofLiteral("198.18.2.2"), 32, new PortRange(443, 443)),
                Subnet.parse("198.18.2.2:443"));
        assertEquals(new Subnet(InetAddress.ofLiteral("2001:2::"), 48, new PortRange(443, 443)),
                Subnet.parse("[2001:2::]/48:443"));
        assertEquals(new Subnet(InetAddress.ofLiteral("2001:2::"), 48, null), Subnet.parse("2001:2::/48"));
    }

    @Test
    void toStringParsesBackToTheSameSubnet() {
        for (String s : new String[] {"198.18.2.0/24", "198.18.2.0/24:80-90", "2001:2::/48", "[2001:2::]/48:443"}) {
            assertEquals(Subnet.parse(s), Subnet.parse(Subnet.parse(s).toString()), s);
        }
    }

    @Test
    void containsComparesThePrefixOnly() {
        Subnet net = Subnet.parse("198.18.2.0/24");
        assertTrue(net.contains(InetAddress.ofLiteral("198.18.2.200")));
        assertFalse(net.contains(InetAddress.ofLiteral("198.18.3.1")));
        assertFalse(net.contains(InetAddress.ofLiteral("2001:2::1")));
    }

    @Test
    void badInputNamesTheValue() {
        assertEquals("prefix length must be 0..32: 198.18.2.0/33",
                assertThrows(IllegalArgumentException.class, () -> Subnet.parse("198.18.2.0/33")).getMessage());
        assertEquals("port range runs backwards: 90-80",
                assertThrows(IllegalArgumentException.class, () -> Subnet.parse("198.18.2.0/24:90-80")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("example.com/24"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("198.18.2.0/24:0"));
    }
}
