package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.ipvs.kernel.FakeIpvsKernel;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// keepalived 2.3's case at a size a test can afford: in a table of 1,000 virtual servers and
/// 16,000 real servers on (a fake of) the kernel's IPVS, a reload (SIGHUP) or an edit that changes
/// one real server's weight sends the kernel that one operation and reads back that one service,
/// never the rest of the table (bench/scale measures the full size and the time).
class LargeTableChangeTest {

    private static final int VIRTUAL_SERVERS = 1_000;
    private static final int REAL_SERVERS_EACH = 16;
    /// The real server changed: in the middle of the file.
    private static final int VS = 500;
    private static final int RS = 7;
    private static final Duration CALL = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final FakeIpvsKernel kernel = new FakeIpvsKernel();
    private Path file;
    private Daemon daemon;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("keepalived.conf");
        Files.writeString(file, config(1));
        daemon = new Daemon(new Daemon.Options(file, "", null, null, dir.resolve("state"), null, "kernel"),
                new KernelPlatform(kernel));
        daemon.start();
        assertThat(kernel.table().services()).hasSize(VIRTUAL_SERVERS);
        assertThat(kernel.table().destinationCount()).isEqualTo(VIRTUAL_SERVERS * REAL_SERVERS_EACH);
    }

    @AfterEach
    void stop() {
        daemon.stop();
    }

    @Test
    void aReloadThatChangesOneRealServerSendsOneOperationAndReadsOneService() throws Exception {
        int operations = kernel.operations();
        int dumps = kernel.destinationDumps();
        Files.writeString(file, config(9));

        daemon.reload();

        assertThat(kernel.operations() - operations).as("operations sent to the kernel").isEqualTo(1);
        assertThat(kernel.destinationDumps() - dumps).as("services whose destinations were read")
                .isLessThanOrEqualTo(2); // before the change and after it
        assertThat(weightInKernel()).isEqualTo(9);
        assertThat(daemon.config().virtualServers().get(VS).realServers().get(RS).weight()).isEqualTo(9);
    }

    @Test
    void anEditOfOneRealServerSendsOneOperationAndReadsOneService() throws Exception {
        try (ControlClient client = InMemoryChannel.open("large-table", daemon.dispatcher(), daemon.events())) {
            for (int weight : new int[] {20, 21}) { // the second edit starts from what the first wrote
                int operations = kernel.operations();
                int dumps = kernel.destinationDumps();

                var applied = client.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(daemon.revision(),
                        vsId(), rsAddress() + ":" + rsPort(), weight, null), Results.Applied.class, CALL);

                assertThat(applied.revision()).isEqualTo(daemon.revision());
                assertThat(kernel.operations() - operations).as("operations sent to the kernel").isEqualTo(1);
                assertThat(kernel.destinationDumps() - dumps).isLessThanOrEqualTo(2);
                assertThat(weightInKernel()).isEqualTo(weight);
                assertThat(Files.readString(file)).as("only the weight's line changed").isEqualTo(config(weight));
            }
        }
    }

    private int weightInKernel() throws Exception {
        var service = kernel.table().services().values().stream().skip(VS).findFirst().orElseThrow();
        return service.destinations().values().stream()
                .filter(d -> d.endpoint().address().equals(address(rsAddress())) && d.endpoint().port() == rsPort())
                .findFirst().orElseThrow().weight();
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String vsId() {
        return "tcp/203.0.113." + (1 + VS % 250) + ":" + (1000 + VS / 250);
    }

    private static String rsAddress() {
        return "198.51.100." + (1 + (VS + RS) % 250);
    }

    private static int rsPort() {
        return 8000 + RS;
    }

    /// The table, with the real server [#RS] of virtual server [#VS] at `weight` (the others at 1).
    private static String config(int weight) {
        var text = new StringBuilder();
        for (int v = 0; v < VIRTUAL_SERVERS; v++) {
            text.append("virtual_server 203.0.113.").append(1 + v % 250).append(' ').append(1000 + v / 250)
                    .append(" {\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n");
            for (int r = 0; r < REAL_SERVERS_EACH; r++) {
                text.append("    real_server 198.51.100.").append(1 + (v + r) % 250).append(' ').append(8000 + r)
                        .append(" {\n        weight ").append(v == VS && r == RS ? weight : 1).append("\n    }\n");
            }
            text.append("}\n");
        }
        return text.toString();
    }

    /// The edit tests' platform (no VRRP, no VIPs) with the fake kernel's IPVS as the service table.
    private record KernelPlatform(FakeIpvsKernel kernel) implements Platform {

        @Override
        public Optional<String> missing() {
            return Optional.empty();
        }

        @Override
        public AddressPlumbing openPlumbing() {
            return new AddressPlumbing() {
                @Override
                public void addAddress(String interfaceName, VrrpSettings.VirtualAddress vip) {
                }

                @Override
                public void removeAddress(String interfaceName, VrrpSettings.VirtualAddress vip) {
                }

                @Override
                public void announce(String interfaceName, InetAddress address) {
                }
            };
        }

        @Override
        public void closePlumbing(AddressPlumbing plumbing) {
        }

        @Override
        public VrrpTransport.Factory transports() {
            return settings -> {
                throw new IOException("this test has no VRRP network for " + settings.name());
            };
        }

        @Override
        public void warmUp() {
        }

        @Override
        public boolean monitorsInterfaces() {
            return false;
        }

        @Override
        public Backend serviceBackend(String mode) {
            return new Backend(kernel.open(), "the test's fake kernel");
        }

        /// Not during the test: the periodic check reads the whole table, on purpose.
        @Override
        public Duration tableCheckInterval() {
            return Duration.ofHours(1);
        }

        @Override
        public KeepalivedConfig served(KeepalivedConfig config) {
            return config;
        }
    }
}
