package dev.pharos.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/// The lab's dual-stack LAN: an IPv4 host's IPv6 addresses read its octets in their last four
/// groups, and only such addresses lead back to it.
class LabLanTest {

    private static Inet4Address v4(String text) {
        return (Inet4Address) InetAddress.ofLiteral(text);
    }

    @Test
    void aDirectorsLinkLocalAddressReadsItsIpv4Address() {
        assertThat(Addresses.text(LabLan.linkLocal(v4("192.0.2.1")))).isEqualTo("fe80::192:0:2:1");
        assertThat(LabLan.linkLocal(v4("192.0.2.2")).isLinkLocalAddress()).isTrue();
    }

    @Test
    void aRealServersIpv6AddressLeadsBackToIt() {
        var six = LabLan.ipv6(v4("198.51.100.66"));
        assertThat(Addresses.text(six)).isEqualTo("2001:db8::198:51:100:66");
        assertThat(LabLan.ipv4(six)).contains(v4("198.51.100.66"));
        assertThat(LabLan.ipv4(InetAddress.ofLiteral("2001:0db8:0:0:0198:0051:0100:0066"))).contains(v4("198.51.100.66"));
        assertThat(LabLan.ipv4(LabLan.ipv6(v4("0.0.0.255")))).contains(v4("0.0.0.255"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "198.51.100.66",            // IPv4 itself
        "2001:db8:1::198:51:100:66", // another prefix
        "2001:db9::198:51:100:66",
        "fe80::198:51:100:66",      // a director's link-local form is not a real server
        "2001:db8::198:51:100:256", // not an octet
        "2001:db8::198:51:100:6a",  // not decimal digits
        "2001:db8:0:1:198:51:100:66", // a group of the prefix half set
    })
    void otherAddressesLeadNowhere(String text) {
        assertThat(LabLan.ipv4(InetAddress.ofLiteral(text))).isEmpty();
    }
}
