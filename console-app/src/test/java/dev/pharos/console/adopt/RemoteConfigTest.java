package dev.pharos.console.adopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.config.VirtualServerDef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// A remote configuration with its includes: relative and absolute, nested, globbed; a finding in an
/// included file named by that file's own line; a cycle and a missing file said plainly.
class RemoteConfigTest {

    /// A host's files in memory, globbed as SFTP does (`*` in the last element).
    record FakeFiles(Map<String, String> files, List<String> read) implements RemoteConfig.Files {
        FakeFiles(Map<String, String> files) {
            this(files, new ArrayList<>());
        }

        @Override
        public String read(String path) throws IOException {
            read.add(path);
            var text = files.get(path);
            if (text == null) {
                throw new IOException("host: cannot read " + path + ": no such file");
            }
            return text;
        }

        @Override
        public List<String> glob(String pattern) {
            var slash = pattern.lastIndexOf('/');
            var regex = pattern.substring(slash + 1).replace(".", "\\.").replace("*", "[^/]*").replace("?", "[^/]");
            return files.keySet().stream().filter(f -> f.startsWith(pattern.substring(0, slash + 1))
                    && f.substring(slash + 1).matches(regex)).sorted().toList();
        }
    }

    static final String INSTANCE = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 73
                priority 150
                virtual_ipaddress {
                    192.0.2.100
                }
                include vips.inc
            }
            include conf.d/*.conf
            """;

    static String service(int port) {
        return """
                virtual_server 192.0.2.100 %d {
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    real_server 198.51.100.11 %d {
                        weight 1
                    }
                }
                """.formatted(port, port);
    }

    @Test
    void includesAreFollowedOnTheHost() throws Exception {
        var host = new FakeFiles(Map.of(
                "/etc/keepalived/keepalived.conf", INSTANCE,
                "/etc/keepalived/vips.inc", "    virtual_ipaddress_excluded {\n        192.0.2.200\n    }\n",
                "/etc/keepalived/conf.d/web.conf", service(80),
                "/etc/keepalived/conf.d/tls.conf", service(443) + "include /srv/more.conf\n",
                "/etc/keepalived/conf.d/notes.txt", "not a configuration",
                "/srv/more.conf", service(8080)));
        var read = RemoteConfig.read(host, "/etc/keepalived/keepalived.conf", "lvs");
        assertThat(read.files()).containsExactly("/etc/keepalived/keepalived.conf", "/etc/keepalived/vips.inc",
                "/etc/keepalived/conf.d/tls.conf", "/srv/more.conf", "/etc/keepalived/conf.d/web.conf");
        assertThat(read.config().vrrpInstances().getFirst().virtualIpAddressesExcluded()).hasSize(1);
        assertThat(read.config().virtualServers()).extracting(VirtualServerDef::id)
                .containsExactly("tcp/192.0.2.100:443", "tcp/192.0.2.100:8080", "tcp/192.0.2.100:80");
    }

    @Test
    void aFindingInAnIncludedFileNamesThatFile() {
        var host = new FakeFiles(Map.of(
                "/etc/keepalived/keepalived.conf", INSTANCE,
                "/etc/keepalived/vips.inc", "",
                "/etc/keepalived/conf.d/web.conf", service(80).replace("weight 1", "weight 1\n        weight x")));
        assertThatThrownBy(() -> RemoteConfig.read(host, "/etc/keepalived/keepalived.conf", "lvs"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("/etc/keepalived/conf.d/web.conf:7:");
    }

    @Test
    void aCycleAndAMissingFileAreSaidPlainly() {
        var cycle = new FakeFiles(Map.of("/k/a.conf", "include b.conf\n", "/k/b.conf", "include a.conf\n"));
        assertThatThrownBy(() -> RemoteConfig.read(cycle, "/k/a.conf", "lvs"))
                .hasMessageStartingWith("includes nested deeper than 8 files at /k/");
        var missing = new FakeFiles(Map.of("/k/a.conf", "include /k/gone.conf\n"));
        assertThatThrownBy(() -> RemoteConfig.read(missing, "/k/a.conf", "lvs"))
                .hasMessage("host: cannot read /k/gone.conf: no such file");
        var none = new FakeFiles(Map.of("/k/a.conf", "include /k/conf.d/*.conf\n"));
        assertThat(readA(none).files()).as("an empty conf.d is no error").containsExactly("/k/a.conf");
    }

    private static RemoteConfig readA(FakeFiles files) {
        try {
            return RemoteConfig.read(files, "/k/a.conf", "lvs");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
