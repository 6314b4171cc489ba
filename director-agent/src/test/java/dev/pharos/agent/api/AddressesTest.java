package dev.pharos.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// RFC 5952's text form, from the RFC's own examples, and a round trip over random addresses.
class AddressesTest {

    @Test
    void rfc5952Examples() throws Exception {
        assertThat(text("2001:0db8:0000:0000:0000:0000:0000:0001")).isEqualTo("2001:db8::1"); // §4.1, §4.2.1
        assertThat(text("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1"); // §4.2.2: one 0 stays
        assertThat(text("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1"); // §4.2.3: the longest run
        assertThat(text("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1"); // §4.2.3: the first of equals
        assertThat(text("2001:DB8::AAAA")).isEqualTo("2001:db8::aaaa"); // §4.3: lower case
        assertThat(text("::")).isEqualTo("::");
        assertThat(text("::1")).isEqualTo("::1");
        assertThat(text("2001:db8::")).isEqualTo("2001:db8::");
        assertThat(text("0:1:0:0:0:0:0:0")).isEqualTo("0:1::");
        assertThat(text("fe80::1%3")).isEqualTo("fe80::1%3");
        assertThat(text("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(text("::ffff:192.0.2.1")).as("Java reads a mapped address as IPv4").isEqualTo("192.0.2.1");
    }

    @Test
    void everyFormReadsBackAsTheSameAddressAndIsTheShortest() throws Exception {
        var random = new Random(5952);
        for (int n = 0; n < 20_000; n++) {
            var bytes = new byte[16];
            for (int g = 0; g < 8; g++) {
                int v = random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0; // many zero runs
                bytes[2 * g] = (byte) (v >> 8);
                bytes[2 * g + 1] = (byte) v;
            }
            var address = Inet6Address.getByAddress(null, bytes, null);
            var s = Addresses.text(address);
            assertThat(InetAddress.getByName(s)).as(s).isEqualTo(address);
            assertThat(s).as("no longer than Java's form").hasSizeLessThanOrEqualTo(address.getHostAddress().length());
            assertThat(s).doesNotContain(":::").doesNotMatch(".*::.*::.*");
        }
    }

    /// Ids and names the agent gives IPv6 real servers use the compressed form.
    @Test
    void realServerIdsAreCompressed() throws Exception {
        var rs = dev.pharos.agent.config.RealServerDef.of(InetAddress.getByName("2001:db8:0:0:0:0:0:11"), 80, 1);
        assertThat(rs.id()).isEqualTo("[2001:db8::11]:80");
    }

    private static String text(String literal) throws Exception {
        return Addresses.text(InetAddress.getByName(literal));
    }
}
