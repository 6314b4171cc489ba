package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpVersion;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/// From an instance's IPv6 lines to the engine's settings, as keepalived 2.2.7 completes them
/// (`vrrp_parser.c` alloc_vrrp_vip, vrrp_native_ipv6_handler; `vrrp.c` vrrp_complete_instance).
class VrrpMappingIpv6Test {

    private static KeepalivedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "").config();
    }

    private static VrrpSettings mapped(String text) throws ConfigException {
        return VrrpMapping.map(load(text)).instances().getFirst();
    }

    private static String instance(String body) {
        return "vrrp_instance VI_6 {\n    interface eth0\n    virtual_router_id 6\n" + body + "}\n";
    }

    private static String vips(String... lines) {
        return "    virtual_ipaddress {\n" + String.join("", Arrays.stream(lines)
                .map(l -> "        " + l + "\n").toList()) + "    }\n";
    }

    @Test
    void anIpv6InstanceIsVrrpV3WhateverGlobalDefsSay() throws Exception {
        var s = mapped("global_defs {\n    vrrp_version 2\n}\n" + instance(vips("2001:db8::61/64", "2001:db8::62")));
        assertThat(s.ipv6()).isTrue();
        assertThat(s.version()).isEqualTo(VrrpVersion.V3);
        assertThat(s.virtualAddresses()).containsExactly(
                new VrrpSettings.VirtualAddress(InetAddress.getByName("2001:db8::61"), 64),
                new VrrpSettings.VirtualAddress(InetAddress.getByName("2001:db8::62"), 128));
        assertThat(mapped(instance(vips("192.0.2.10"))).ipv6()).isFalse();
    }

    @Test
    void versionTwoWithIpv6IsRefused() {
        assertThatThrownBy(() -> mapped(instance("    version 2\n" + vips("2001:db8::61"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VRRPv2 is IPv4 only");
    }

    @Test
    void addressesOfTheOtherFamilyAreRefusedUnlessExcluded() throws Exception {
        assertThatThrownBy(() -> mapped(instance(vips("2001:db8::61", "192.0.2.10"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("192.0.2.10 is IPv4 in an IPv6 instance");
        assertThatThrownBy(() -> mapped(instance(vips("2001:db8::61") + "    unicast_peer {\n        192.0.2.2\n    }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unicast_peer 192.0.2.2");
        // keepalived's trick for a second family: the excluded list takes any
        var s = mapped(instance(vips("192.0.2.10/24")
                + "    virtual_ipaddress_excluded {\n        2001:db8::61/64\n        192.0.2.11\n    }\n"));
        assertThat(s.ipv6()).isFalse();
        assertThat(s.advertisedAddresses()).containsExactly(InetAddress.getByName("192.0.2.10"));
        assertThat(s.virtualAddresses()).containsExactly(
                new VrrpSettings.VirtualAddress(InetAddress.getByName("192.0.2.10"), 24),
                new VrrpSettings.VirtualAddress(InetAddress.getByName("2001:db8::61"), 64, true),
                new VrrpSettings.VirtualAddress(InetAddress.getByName("192.0.2.11"), 32, true));
    }

    @Test
    void nativeIpv6MakesTheInstanceIpv6AndIsWrittenBeforeTheAddresses() throws Exception {
        var text = instance("    native_ipv6\n" + vips("2001:db8::61"));
        var config = ConfigLoader.parse(Path.of("t.conf"), text, "");
        assertThat(config.warnings()).as("native_ipv6 is not an unimplemented keyword").isEmpty();
        assertThat(mapped(text).version()).isEqualTo(VrrpVersion.V3);
        var written = ConfigWriter.write(config.config());
        assertThat(written).contains("native_ipv6");
        assertThat(written.indexOf("native_ipv6")).isLessThan(written.indexOf("virtual_ipaddress"));
        assertThat(load(written)).isEqualTo(config.config());
        assertThatThrownBy(() -> mapped(instance("    native_ipv6\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("native_ipv6 with no virtual_ipaddress");
    }

    @Test
    void vrrpGnaIntervalSpacesTheAdvertisementsAndIsWrittenBack() throws Exception {
        var text = "global_defs {\n    vrrp_gna_interval 0.002\n}\n" + instance(vips("2001:db8::61"));
        var config = ConfigLoader.parse(Path.of("t.conf"), text, "");
        assertThat(config.warnings()).isEmpty();
        assertThat(mapped(text).garp().naInterval()).isEqualTo(Duration.ofMillis(2));
        assertThat(mapped(instance(vips("2001:db8::61"))).garp().naInterval()).isZero();
        var written = ConfigWriter.write(config.config());
        assertThat(written).contains("vrrp_gna_interval 0.002");
        assertThat(load(written)).isEqualTo(config.config());
    }
}
