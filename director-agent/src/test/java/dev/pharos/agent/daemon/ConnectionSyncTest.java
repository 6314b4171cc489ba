package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.ipvs.kernel.SyncDaemon;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
import dev.pharos.agent.ipvs.kernel.SyncDaemon.Role;
import dev.pharos.agent.vrrp.VrrpState;

/// Which sync daemons run when, as keepalived 2.2.7 switches them, and what is stopped and
/// started to get there.
class ConnectionSyncTest {

    private static final SyncDaemon SETTINGS = new SyncDaemon(Role.BACKUP, "eth0", 90, 0, 0, 0, null);

    private static ConnectionSync.Wanted wanted(Role... roles) {
        return new ConnectionSync.Wanted(SETTINGS, roles.length == 0 ? Set.of() : EnumSet.of(roles[0], roles));
    }

    @Test
    void theInstancesStateChoosesTheRole() {
        assertThat(ConnectionSync.roles("VI_1", VrrpState.INITIALIZE)).containsExactly(Role.BACKUP);
        assertThat(ConnectionSync.roles("VI_1", VrrpState.BACKUP)).containsExactly(Role.BACKUP);
        assertThat(ConnectionSync.roles("VI_1", VrrpState.MASTER)).containsExactly(Role.MASTER);
        assertThat(ConnectionSync.roles("VI_1", VrrpState.FAULT)).containsExactly(Role.BACKUP);
        assertThat(ConnectionSync.roles(null, VrrpState.INITIALIZE)).containsExactly(Role.MASTER, Role.BACKUP);
    }

    @Test
    void atStartTheBackupDaemonStarts() {
        assertThat(ConnectionSync.plan(wanted(Role.BACKUP), Map.of()))
                .containsExactly(new ConnectionSync.Start(SETTINGS));
    }

    @Test
    void becomingMasterStopsTheBackupFirst() {
        assertThat(ConnectionSync.plan(wanted(Role.MASTER), Map.of(Role.BACKUP, SETTINGS))).containsExactly(
                new ConnectionSync.Stop(Role.BACKUP), new ConnectionSync.Start(SETTINGS.as(Role.MASTER)));
    }

    @Test
    void leavingMasterStopsTheMasterFirst() {
        assertThat(ConnectionSync.plan(wanted(Role.BACKUP), Map.of(Role.MASTER, SETTINGS.as(Role.MASTER))))
                .containsExactly(new ConnectionSync.Stop(Role.MASTER), new ConnectionSync.Start(SETTINGS));
    }

    @Test
    void aDaemonThatRunsAsWantedIsLeftAlone() {
        // The kernel fills in what was left to it: that still matches.
        var running = new SyncDaemon(Role.BACKUP, "eth0", 90, 1472, 8848, 1, address("224.0.0.81"));
        assertThat(ConnectionSync.plan(wanted(Role.BACKUP), Map.of(Role.BACKUP, running))).isEmpty();
    }

    @Test
    void changedSettingsRestartTheDaemon() {
        var old = new SyncDaemon(Role.BACKUP, "eth1", 90, 0, 0, 0, null);
        assertThat(ConnectionSync.plan(wanted(Role.BACKUP), Map.of(Role.BACKUP, old)))
                .containsExactly(new ConnectionSync.Stop(Role.BACKUP), new ConnectionSync.Start(SETTINGS));
        var ttl = new SyncDaemon(Role.BACKUP, "eth0", 90, 0, 0, 3, null);
        assertThat(ConnectionSync.matches(SETTINGS, ttl)).isFalse();
    }

    @Test
    void withoutAnInstanceBothRun() {
        assertThat(ConnectionSync.plan(wanted(Role.MASTER, Role.BACKUP), Map.of())).containsExactly(
                new ConnectionSync.Start(SETTINGS.as(Role.MASTER)), new ConnectionSync.Start(SETTINGS));
    }

    @Test
    void stoppingStopsOnlyTheAgentsOwn() {
        assertThat(ConnectionSync.plan(null, Map.of(Role.MASTER, SETTINGS.as(Role.MASTER))))
                .containsExactly(new ConnectionSync.Stop(Role.MASTER));
        assertThat(ConnectionSync.plan(null, Map.of())).isEmpty();
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theUserSpaceBalancerSaysItSyncsNothing() throws Exception {
        var config = ConfigLoader.parse(Path.of("t.conf"), """
                global_defs {
                    lvs_sync_daemon eth0 VI_1
                }
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 90
                    priority 100
                    virtual_ipaddress {
                        192.0.2.11
                    }
                }
                """).config();
        var messages = new CopyOnWriteArrayList<String>();
        var handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                messages.add(String.valueOf(r.getMessage()) + " " + List.of(r.getParameters() == null
                        ? new Object[0] : r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var jul = Logger.getLogger(ConnectionSync.class.getName());
        jul.addHandler(handler);
        var balancer = new UserspaceBalancer();
        try {
            var sync = new ConnectionSync();
            sync.configure(config);
            sync.attach(new UserspaceBackend(balancer), "the kernel has no IPVS");
            sync.close(Duration.ofSeconds(10));
        } finally {
            jul.removeHandler(handler);
            balancer.close();
        }
        assertThat(messages).anyMatch(m -> m.contains("connection synchronisation needs the kernel")
                && m.contains("the kernel has no IPVS"));
    }
}
