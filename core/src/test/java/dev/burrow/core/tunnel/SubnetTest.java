package dev.burrow.core.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubnetTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "10.0.0.0/8;10.0.0.0/8",
            "10.1.2.3/8;10.0.0.0/8",
            "192.168.1.7;192.168.1.7/32",
            "0/0;0.0.0.0/0",
            "10.0.0.0/8:443;10.0.0.0/8:443",
            "10.0.0.0/8:8000-8999;10.0.0.0/8:8000-8999",
            "2001:db8::1/32;2001:db8:0:0:0:0:0:0/32",
            "::1;0:0:0:0:0:0:0:1/128",
            "[2001:db8::]/32:443;[2001:db8:0:0:0:0:0:0/32]:443",
            "[2001:db8::/32]:80-81;[2001:db8:0:0:0:0:0:0/32]:80-81",
    })
    void parsesSshuttleNotation(String text, String normalised) {
        assertEquals(normalised, Subnet.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "10.0.0.0/33;prefix length must be 0-32, not 33",
            "10.0.0.0/8:0;ports must be 1-65535, low to high: 0",
            "10.0.0.0/8:90-80;ports must be 1-65535, low to high: 90-80",
            "10.0.0.0/8:http;port is not a number: http",
            "example.com;not an IP address or subnet (names are not accepted here)",
            "300.1.1.1/8;'300.1.1.1' is not an IP address",
    })
    void rejectsWithAReason(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Subnet.parse(text)).getMessage());
    }

    @Test
    void containsChecksNetworkAndPorts() throws Exception {
        Subnet web = Subnet.parse("10.0.0.0/8:80-443");
        assertTrue(web.contains(InetAddress.getByName("10.9.8.7"), 80));
        assertFalse(web.contains(InetAddress.getByName("10.9.8.7"), 22));
        assertFalse(web.contains(InetAddress.getByName("11.0.0.1"), 80));
        assertFalse(web.contains(InetAddress.getByName("::1"), 80));
    }
}
