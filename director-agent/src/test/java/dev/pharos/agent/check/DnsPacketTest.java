package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/// The DNS query and reply header, byte for byte (RFC 1035 §4.1).
class DnsPacketTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aQueryForANameIsRecursionDesiredClassIn() {
        assertThat(HEX.formatHex(DnsPacket.query(0x1234, "example.org", CheckSpec.DnsType.A.wireValue())))
                .isEqualTo("1234" + "0100" + "0001" + "0000" + "0000" + "0000"
                        + "076578616d706c65" + "036f7267" + "00" + "0001" + "0001");
    }

    @Test
    void theRootIsOneZeroByteWhetherEmptyOrDot() {
        var expected = "ffff" + "0100" + "0001" + "0000" + "0000" + "0000" + "00" + "0006" + "0001";
        assertThat(HEX.formatHex(DnsPacket.query(0xffff, "", 6))).isEqualTo(expected);
        assertThat(HEX.formatHex(DnsPacket.query(0xffff, ".", 6))).isEqualTo(expected);
    }

    @Test
    void aTrailingDotIsTheSameName() {
        assertThat(DnsPacket.query(1, "example.org.", 1)).isEqualTo(DnsPacket.query(1, "example.org", 1));
    }

    @Test
    void namesThatCannotBeEncodedAreRefused() {
        assertThatThrownBy(() -> DnsPacket.query(1, "a..b", 1)).hasMessageContaining("empty label");
        assertThatThrownBy(() -> DnsPacket.query(1, ".a", 1)).hasMessageContaining("empty label");
        assertThatThrownBy(() -> DnsPacket.query(1, "x".repeat(64) + ".org", 1)).hasMessageContaining("over 63");
        assertThatThrownBy(() -> DnsPacket.query(1, ("x".repeat(60) + ".").repeat(5), 1)).hasMessageContaining("over 255");
    }

    @Test
    void aReplyHeaderGivesIdResponseBitAndRcode() throws Exception {
        var h = DnsPacket.header(HEX.parseHex("beef" + "8182" + "0001" + "0000" + "0000" + "0000"), 12);
        assertThat(h).isEqualTo(new DnsPacket.Header(0xbeef, true, DnsPacket.Rcode.SERVFAIL));
        assertThat(h.rcode()).hasToString("SERVFAIL");
        var ok = DnsPacket.header(HEX.parseHex("0001" + "8180" + "0001" + "0001" + "0000" + "0000" + "ff"), 13);
        assertThat(ok.rcode()).isEqualTo(DnsPacket.Rcode.NOERROR);
    }

    @Test
    void aQueryIsNotAResponse() throws Exception {
        assertThat(DnsPacket.header(DnsPacket.query(7, "a", 1), 12).response()).isFalse();
    }

    @Test
    void unknownRcodesSurviveAsThemselves() throws Exception {
        var h = DnsPacket.header(HEX.parseHex("0001" + "800b" + "0000" + "0000" + "0000" + "0000"), 12);
        assertThat(h.rcode().value()).isEqualTo(11);
        assertThat(h.rcode()).hasToString("RCODE 11");
        assertThat(new DnsPacket.Rcode(3)).hasToString("NXDOMAIN");
        assertThat(new DnsPacket.Rcode(5)).hasToString("REFUSED");
    }

    @Test
    void aDatagramShorterThanAHeaderIsMalformed() {
        assertThatThrownBy(() -> DnsPacket.header(HEX.parseHex("00018180000100"), 7))
                .isInstanceOf(DnsPacket.MalformedException.class)
                .hasMessage("7 bytes, shorter than a DNS header (12)");
        assertThatThrownBy(() -> DnsPacket.header(new byte[0], 0)).isInstanceOf(DnsPacket.MalformedException.class);
        // the length given, not the buffer's, counts
        assertThatThrownBy(() -> DnsPacket.header(new byte[768], 11)).isInstanceOf(DnsPacket.MalformedException.class);
    }
}
