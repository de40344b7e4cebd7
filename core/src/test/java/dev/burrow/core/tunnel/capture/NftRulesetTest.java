package dev.burrow.core.tunnel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.ofLiteral("198.18.1.1"), 22);

    @Test
    void localCaptureIsOneOwnedTableWithAnOutputHook() {
        CaptureSpec spec = new CaptureSpec(List.of(Subnet.parse("198.18.2.0/24")), List.of(), SERVER, List.of(), false);
        assertEquals("table inet t { flags owner; chain capture { ip daddr 198.18.1.1 return; fib daddr type local"
                + " return; ip daddr 198.18.2.0/24 meta l4proto tcp redirect to :15000; }; chain output { type nat"
                + " hook output priority -100; policy accept; jump capture; }; }",
                NftRuleset.render("t", spec, 15000, 0, true));
    }

    @Test
    void dnsComesFirstAndExcludesComeBeforeEveryInclude() {
        CaptureSpec spec = new CaptureSpec(
                List.of(Subnet.parse("198.18.2.2/32"), Subnet.parse("[2001:2:0:2::]/64:443")),
                List.of(Subnet.parse("198.18.2.0/24"), Subnet.parse("198.18.4.0/24:80-90")),
                new InetSocketAddress(InetAddress.ofLiteral("2001:2:0:1::1"), 22),
                List.of(InetAddress.ofLiteral("198.18.3.53"), InetAddress.ofLiteral("198.18.3.54"),
                        InetAddress.ofLiteral("2001:2:0:3::53")), true);
        assertEquals("table inet t { chain capture {"
                + " ip daddr { 198.18.3.53, 198.18.3.54 } udp dport 53 redirect to :53000;"
                + " ip daddr { 198.18.3.53, 198.18.3.54 } tcp dport 53 redirect to :53000;"
                + " ip6 daddr { 2001:2:0:3:0:0:0:53 } udp dport 53 redirect to :53000;"
                + " ip6 daddr { 2001:2:0:3:0:0:0:53 } tcp dport 53 redirect to :53000;"
                + " ip6 daddr 2001:2:0:1:0:0:0:1 return; fib daddr type local return;"
                + " ip daddr 198.18.2.0/24 meta l4proto tcp return; ip daddr 198.18.4.0/24 tcp dport 80-90 return;"
                + " ip daddr 198.18.2.2/32 meta l4proto tcp redirect to :15000;"
                + " ip6 daddr 2001:2:0:2:0:0:0:0/64 tcp dport 443 redirect to :15000; };"
                + " chain output { type nat hook output priority -100; policy accept; jump capture; };"
                + " chain prerouting { type nat hook prerouting priority -100; policy accept; jump capture; }; }",
                NftRuleset.render("t", spec, 15000, 53000, false));
    }

    @Test
    void resolversWithoutADnsPortAreRefused() {
        CaptureSpec spec = new CaptureSpec(List.of(), List.of(), SERVER, List.of(InetAddress.ofLiteral("198.18.3.53")),
                false);
        assertThrows(IllegalArgumentException.class, () -> NftRuleset.render("t", spec, 15000, 0, true));
    }

    @Test
    void aSpecThatCapturesNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CaptureSpec(List.of(), List.of(), SERVER, List.of(),
                false));
    }
}
