package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
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

/// The agent's edits on a file written by hand: each changes only its lines (comments, blank
/// lines, tabs, other config ids' lines and the include structure stay), lands in the file that
/// defines what it edits, and an edit the file cannot take changes nothing.
class LosslessEditPathTest {

    static final Duration CALL = Duration.ofSeconds(20);
    static final String VS = "tcp/192.0.2.100:80";

    static final String SERVICES = """
            # Services, by hand.
            virtual_server 192.0.2.100 80 {
            \tdelay_loop 6
            \tlb_algo wrr   ! weighted round robin
            \tlb_kind DR
            \tprotocol TCP
            @other\tquorum 2

            \t# the first backend
            \treal_server 198.51.100.11 80 {
            \t\tweight 1
            \t}
            }
            """;
    static final String MAIN = """
            ! keepalived.conf of lb1
            global_defs {
                router_id lossless-test
            }
            include services.conf
            """;

    @TempDir
    Path dir;
    Path file;
    Daemon daemon;
    ControlClient client;

    void startAgent(String main, String services) throws Exception {
        file = dir.resolve("keepalived.conf");
        Files.writeString(file, main);
        if (services != null) {
            Files.writeString(dir.resolve("services.conf"), services);
        }
        daemon = start();
        client = InMemoryChannel.open("lossless-test", daemon.dispatcher(), daemon.events());
    }

    Daemon start() throws Exception {
        var d = new Daemon(new Daemon.Options(file, "lb1", null, null, dir.resolve("state"), null, "userspace"),
                new EditTestPlatform());
        d.start();
        return d;
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

    Map<String, Object> params(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        m.put("baseRevision", daemon.revision());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    void call(String method, Object... kv) throws Exception {
        client.call(method, params(kv), Results.Applied.class, CALL);
    }

    @Test
    void eachEditChangesOnlyItsLines() throws Exception {
        var text = MAIN.replace("include services.conf\n", "\n" + SERVICES);
        startAgent(text, null);

        call(Protocol.REAL_SERVER_UPDATE, "virtualServer", VS, "realServer", "198.51.100.11:80", "weight", 5);
        var weighed = text.replace("\t\tweight 1\n", "\t\tweight 5\n");
        assertThat(Files.readString(file)).isEqualTo(weighed);

        call(Protocol.REAL_SERVER_ADD, "virtualServer", VS, "address", "198.51.100.12", "weight", 2);
        assertThat(Files.readString(file)).isEqualTo(weighed.replace("\t\tweight 5\n\t}\n",
                "\t\tweight 5\n\t}\n\n\treal_server 198.51.100.12 80 {\n\t\tweight 2\n\t}\n"));

        call(Protocol.REAL_SERVER_REMOVE, "virtualServer", VS, "realServer", "198.51.100.12:80");
        assertThat(Files.readString(file)).as("added then removed: as before").isEqualTo(weighed);

        call(Protocol.VIRTUAL_SERVER_UPDATE, "virtualServer", VS, "scheduler", "rr", "persistenceSeconds", 300);
        assertThat(Files.readString(file)).isEqualTo(weighed.replace("\tlb_algo wrr   !", "\tlb_algo rr   !")
                .replace("\tprotocol TCP\n@other\tquorum 2\n", "\tprotocol TCP\n@other\tquorum 2\n\tpersistence_timeout 300\n"));
        assertThat(daemon.store().history()).hasSize(4);

        // the agent the file starts runs what the edits made
        var running = daemon.config();
        daemon.stop();
        var again = start();
        try {
            assertThat(again.config()).isEqualTo(running);
        } finally {
            again.stop();
        }
    }

    @Test
    void anEditLandsInTheIncludedFileThatDefinesTheBlock() throws Exception {
        startAgent(MAIN, SERVICES);
        var services = dir.resolve("services.conf");
        call(Protocol.REAL_SERVER_UPDATE, "virtualServer", VS, "realServer", "198.51.100.11:80", "weight", 0);
        assertThat(Files.readString(file)).isEqualTo(MAIN);
        assertThat(Files.readString(services)).isEqualTo(SERVICES.replace("\t\tweight 1\n", "\t\tweight 0\n"));
        assertThat(Files.list(dir.resolve("state/history")).map(p -> p.getFileName().toString()))
                .singleElement().asString().startsWith("services.conf.");

        // the hand-edit guard watches the included file still
        Files.writeString(services, Files.readString(services) + "! by hand\n");
        var e = catchThrowableOfType(RpcException.class, () -> call(Protocol.REAL_SERVER_UPDATE, "virtualServer", VS,
                "realServer", "198.51.100.11:80", "weight", 3));
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        assertThat(Files.readString(services)).endsWith("weight 0\n\t}\n}\n! by hand\n");
    }

    @Test
    void anIncludedFileIsPutBackWhenApplyingTheEditFails() throws Exception {
        startAgent(MAIN, SERVICES);
        var services = dir.resolve("services.conf");
        var revision = daemon.revision();
        var e = catchThrowableOfType(RpcException.class, () -> call(Protocol.VIRTUAL_SERVER_ADD, "fwmark",
                EditTestPlatform.TRAP));
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.APPLY_FAILED);
        assertThat(Files.readString(services)).isEqualTo(SERVICES);
        assertThat(Files.readString(file)).isEqualTo(MAIN);
        assertThat(daemon.revision()).isEqualTo(revision);
        // the store knows the bytes it put back: the next edit is not taken for a hand edit
        call(Protocol.REAL_SERVER_UPDATE, "virtualServer", VS, "realServer", "198.51.100.11:80", "weight", 2);
        assertThat(Files.readString(services)).isEqualTo(SERVICES.replace("\t\tweight 1\n", "\t\tweight 2\n"));
    }

    @Test
    void theNextStartRemovesWhatAnInterruptedWriteOfAnIncludedFileLeft() throws Exception {
        var sub = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(sub.resolve("services.conf"), SERVICES);
        var leftover = Files.writeString(sub.resolve(".services.conf8123.tmp"), "half a file");
        var other = Files.writeString(sub.resolve(".other.conf8123.tmp"), "not the store's");
        startAgent(MAIN.replace("include services.conf", "include conf.d/services.conf"), null);
        assertThat(leftover).doesNotExist();
        assertThat(other).exists();
    }

    @Test
    void anEditTheFileCannotTakeIsRefusedAndNothingIsWritten() throws Exception {
        var conditional = SERVICES.replace("\t\tweight 1\n", "@lb1\t\tweight 1\n@^lb1\t\tweight 3\n");
        startAgent(MAIN, conditional);
        var before = Files.readAllBytes(dir.resolve("services.conf"));
        var revision = daemon.revision();
        var e = catchThrowableOfType(RpcException.class, () -> call(Protocol.REAL_SERVER_UPDATE, "virtualServer", VS,
                "realServer", "198.51.100.11:80", "weight", 5));
        assertThat(e.error().code()).isEqualTo(Protocol.Errors.APPLY_FAILED);
        assertThat(e.error().message()).contains("config id lb1").contains("by hand");
        assertThat(Files.readAllBytes(dir.resolve("services.conf"))).isEqualTo(before);
        assertThat(daemon.revision()).isEqualTo(revision);
        assertThat(Files.exists(dir.resolve("state/history"))).isFalse();
    }
}
