package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.InMemoryChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The edit path of the control channel on an in-process agent: an edit is all or nothing, a
/// string that would change the file's structure is refused naming its field, a hand edit on
/// disk is never overwritten, and scalars are decoded strictly.
class EditPathTest {

    static final Duration CALL = Duration.ofSeconds(20);
    static final String VS = "tcp/192.0.2.100:80";

    static final String CONFIG = """
            global_defs {
                router_id edit-test
            }
            virtual_server 192.0.2.100 80 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                }
            }
            """;

    @TempDir
    Path dir;
    Path file;
    Daemon daemon;
    ControlClient client;

    Daemon start() throws Exception {
        var d = new Daemon(new Daemon.Options(file, "", null, null, dir.resolve("state"), null, "userspace"),
                new EditTestPlatform());
        d.start();
        return d;
    }

    void startAgent(String text) throws Exception {
        file = dir.resolve("keepalived.conf");
        Files.writeString(file, text);
        daemon = start();
        client = InMemoryChannel.open("edit-test", daemon.dispatcher(), daemon.events());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (daemon != null) {
            daemon.stop();
        }
    }

    RpcException refused(String method, Map<String, Object> params) {
        return catchThrowableOfType(RpcException.class, () -> client.call(method, params, CALL));
    }

    Map<String, Object> params(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        m.put("baseRevision", daemon.revision());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /// Starts a second agent from the file as it is now: the file an edit leaves must run.
    void aFreshAgentStartsFromTheFile() throws Exception {
        daemon.stop();
        var again = start();
        again.stop();
    }

    @Test
    void aSchedulerThatWouldBreakTheFileIsRefusedNamingTheFieldAndNothingChanges() throws Exception {
        startAgent(CONFIG);
        var before = Files.readAllBytes(file);
        var revision = daemon.revision();
        var e = refused(Protocol.VIRTUAL_SERVER_ADD, params("address", "192.0.2.101", "port", 80,
                "scheduler", "w\nrr}"));
        assertThat(e).as("the edit is refused").isNotNull();
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        assertThat(e.error().message()).contains("scheduler").contains("is not a scheduler name");
        assertThat(Files.readAllBytes(file)).as("the file").isEqualTo(before);
        assertThat(daemon.revision()).isEqualTo(revision);
        assertThat(daemon.config().virtualServers()).hasSize(1);
        aFreshAgentStartsFromTheFile();
    }

    @Test
    void anUnknownSchedulerIsRefusedOnAddAndOnUpdate() throws Exception {
        startAgent(CONFIG);
        var before = Files.readAllBytes(file);
        var add = refused(Protocol.VIRTUAL_SERVER_ADD, params("address", "192.0.2.101", "port", 80, "scheduler", "xyz"));
        assertThat(add).isNotNull();
        assertThat(add.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        assertThat(add.error().message()).contains("scheduler \"xyz\"");
        var update = refused(Protocol.VIRTUAL_SERVER_UPDATE, params("virtualServer", VS, "scheduler", "xyz"));
        assertThat(update).isNotNull();
        assertThat(update.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        ConfigLoader.load(file, "");
    }

    @Test
    void aStringThatWouldChangeTheFilesStructureIsRefusedInEveryMethod() throws Exception {
        startAgent(CONFIG);
        var before = Files.readAllBytes(file);
        var hostile = new Object[][] {
                {Protocol.REAL_SERVER_REMOVE, "virtualServer", VS, "realServer", "198.51.100.11:80}\n{"},
                {Protocol.REAL_SERVER_UPDATE, "realServer", "198.51.100.11:80", "virtualServer", "x\"y"},
                {Protocol.REAL_SERVER_ADD, "virtualServer", VS, "address", "198.51.100.12\n}"},
                {Protocol.REAL_SERVER_MOVE, "fromVirtualServer", VS, "realServer", "198.51.100.11:80",
                        "toVirtualServer", "#!" + "a".repeat(1_000_000)},
                {Protocol.VIRTUAL_SERVER_UPDATE, "virtualServer", VS, "kind", "DR\u0000"},
                {Protocol.VIRTUAL_SERVER_ADD, "address", "192.0.2.101", "port", 80, "protocol", "TCP }"},
        };
        for (var h : hostile) {
            var kv = java.util.Arrays.copyOfRange(h, 1, h.length);
            var e = refused((String) h[0], params(kv));
            assertThat(e).as("%s", h[0]).isNotNull();
            // The hostile value is the last one of each row; the refusal names its field.
            assertThat(e.error().code()).as("%s: %s", h[0], e.error().message()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
            assertThat(e.error().message()).as("%s", h[0]).startsWith(kv[kv.length - 2] + " \"")
                    .hasSizeLessThan(300);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aFailureWhileApplyingRestoresFileModelAndRevision() throws Exception {
        startAgent(CONFIG);
        var before = Files.readAllBytes(file);
        var revision = daemon.revision();
        var e = refused(Protocol.VIRTUAL_SERVER_ADD, params("fwmark", EditTestPlatform.TRAP));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).as(e.error().message()).isEqualTo(Protocol.Errors.APPLY_FAILED);
        assertThat(e.error().message()).contains("refuses fwmark");
        assertThat(Files.readAllBytes(file)).as("the file").isEqualTo(before);
        assertThat(daemon.revision()).isEqualTo(revision);
        assertThat(daemon.config().virtualServers()).hasSize(1);
        // The agent goes on: the next edit applies.
        var ok = client.call(Protocol.VIRTUAL_SERVER_ADD, params("fwmark", 7), Results.Applied.class, CALL);
        assertThat(ok.revision()).isNotEqualTo(revision);
        assertThat(ConfigLoader.load(file, "").config().virtualServers()).hasSize(2);
    }

    @Test
    void aVrrpInstanceThatCannotOpenItsSocketLeavesEverythingAsItWas() throws Exception {
        startAgent(CONFIG);
        var before = Files.readAllBytes(file);
        var revision = daemon.revision();
        var text = CONFIG + """
                vrrp_instance VI_9 {
                    state BACKUP
                    interface lo
                    virtual_router_id 9
                    priority 100
                    virtual_ipaddress {
                        192.0.2.9
                    }
                }
                """;
        var e = refused(Protocol.CONFIG_APPLY, params("text", text));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).as(e.error().message()).isEqualTo(Protocol.Errors.APPLY_FAILED);
        assertThat(e.error().message()).contains("no VRRP network for VI_9");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(daemon.revision()).isEqualTo(revision);
        assertThat(daemon.config().vrrpInstances()).isEmpty();
        assertThat(daemon.vrrp().instances()).isEmpty();
    }

    @Test
    void aHandEditNotYetReloadedIsNeverOverwritten() throws Exception {
        startAgent(CONFIG);
        var hand = CONFIG.replace("weight 1", "weight 9") + "! changed by hand\n";
        Files.writeString(file, hand);
        var e = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 3));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        assertThat(e.error().message()).contains("changed on disk").contains("SIGHUP");
        assertThat(Files.readString(file)).isEqualTo(hand);
        // After a reload the agent knows the file again and edits it.
        daemon.reload();
        client.call(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 3), Results.Applied.class, CALL);
        assertThat(Files.readString(file)).contains("weight 3").doesNotContain("weight 9");
    }

    /// After an edit the agent keeps the file by blocks and no longer reads it before the next
    /// edit: a hand edit of the same length (same size, other bytes) must still be found.
    @Test
    void aHandEditAfterAnEditIsNeverOverwritten() throws Exception {
        startAgent(CONFIG);
        client.call(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 3), Results.Applied.class, CALL);
        var hand = Files.readString(file).replace("weight 3", "weight 4");
        Files.writeString(file, hand);
        var e = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 5));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        assertThat(Files.readString(file)).isEqualTo(hand);
        // so is one that changes nothing the edit would write
        e = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 3));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        daemon.reload();
        client.call(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", 5), Results.Applied.class, CALL);
        assertThat(Files.readString(file)).contains("weight 5").doesNotContain("weight 4");
    }

    @Test
    void aHandEditOfAnIncludedFileIsNeverOverwritten() throws Exception {
        var included = dir.resolve("services.conf");
        Files.writeString(included, CONFIG.substring(CONFIG.indexOf("virtual_server")));
        startAgent("global_defs {\n    router_id edit-test\n}\ninclude services.conf\n");
        assertThat(daemon.config().virtualServers()).hasSize(1);
        Files.writeString(included, Files.readString(included).replace("weight 1", "weight 7"));
        var e = refused(Protocol.VIRTUAL_SERVER_ADD, params("fwmark", 9));
        assertThat(e).isNotNull();
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        assertThat(e.error().message()).contains("services.conf");
        assertThat(Files.readString(included)).contains("weight 7");
        daemon.reload();
        client.call(Protocol.VIRTUAL_SERVER_ADD, params("fwmark", 9), Results.Applied.class, CALL);
        // the new virtual server follows the last one, in the included file; the main file stays
        assertThat(Files.readString(included)).contains("weight 7").contains("fwmark 9");
        assertThat(Files.readString(file)).isEqualTo("global_defs {\n    router_id edit-test\n}\ninclude services.conf\n");
    }

    @Test
    void scalarsAreNotCoerced() throws Exception {
        startAgent(CONFIG);
        var priority = refused(Protocol.VRRP_SET_PRIORITY, Map.of("instance", "VI_1", "priority", "100"));
        assertThat(priority).isNotNull();
        assertThat(priority.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        assertThat(priority.error().message()).contains("priority");
        var name = refused(Protocol.VRRP_SET_PRIORITY, Map.of("instance", 5, "priority", 100));
        assertThat(name).isNotNull();
        assertThat(name.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        var weight = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "weight", "3"));
        assertThat(weight).isNotNull();
        assertThat(weight.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        var fraction = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer",
                "198.51.100.11:80", "weight", 3.5));
        assertThat(fraction).isNotNull();
        assertThat(fraction.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        var flag = refused(Protocol.REAL_SERVER_UPDATE, params("virtualServer", VS, "realServer", "198.51.100.11:80",
                "inhibitOnFailure", "true"));
        assertThat(flag).isNotNull();
        assertThat(flag.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
        assertThat(daemon.config().virtualServers().getFirst().realServers().getFirst().weight()).isEqualTo(1);
    }

    @Test
    void anInterruptedWriteLeavesNoTemporaryFileBehindAfterTheNextStart() throws Exception {
        file = dir.resolve("keepalived.conf");
        Files.writeString(file, CONFIG);
        // What ConfigStore's Files.createTempFile names look like, left by a kill -9 mid-write;
        // and files that only look alike, which are not the store's to remove.
        var leftover = Files.writeString(dir.resolve(".keepalived.conf8815093416123456789.tmp"), "half");
        var other = Files.writeString(dir.resolve(".other.conf123.tmp"), "not ours");
        var named = Files.writeString(dir.resolve("keepalived.conf.tmp"), "not ours either");
        daemon = start();
        assertThat(leftover).doesNotExist();
        assertThat(other).exists();
        assertThat(named).exists();
    }
}
