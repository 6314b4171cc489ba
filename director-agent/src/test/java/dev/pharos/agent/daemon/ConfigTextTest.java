package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.ControlSession;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.control.RefusalLog;
import dev.pharos.agent.control.Role;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// `config.get` gives the file's own text and `config.apply` of that text, changed, writes it as
/// sent: comments, `@ID` lines, include lines and layout survive an editor's round trip. An
/// operator may send back the include lines the file has, but no new one.
class ConfigTextTest {

    static final Duration CALL = Duration.ofSeconds(20);

    /// Comments of both kinds, an `@ID` line for another host, odd indentation and blank lines,
    /// and an include: everything a canonical rewrite would lose.
    static final String MAIN = """
            # lvs-master, edited by hand: keep these notes
            global_defs {
               router_id   edit-test   ! aligned on purpose
            @other-host notification_email_from ops@example.org
            }

            virtual_server 192.0.2.100 80 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                protocol TCP
                ! the web pool
                real_server 198.51.100.11 80 {
                    weight 1
                }
            }
            include services.conf
            """;

    static final String SERVICES = """
            virtual_server 192.0.2.100 443 {
                lb_algo rr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.12 443 {
                    weight 2
                }
            }
            """;

    @TempDir
    Path dir;
    Path file;
    Path services;
    Daemon daemon;
    ControlClient admin;
    ControlClient operator;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("keepalived.conf");
        services = dir.resolve("services.conf");
        Files.writeString(file, MAIN);
        Files.writeString(services, SERVICES);
        daemon = new Daemon(new Daemon.Options(file, "", null, null, dir.resolve("state"), null, "userspace"),
                new EditTestPlatform());
        daemon.start();
        admin = InMemoryChannel.open("admin", daemon.dispatcher(), daemon.events());
        operator = operatorChannel();
    }

    @AfterEach
    void stop() {
        for (var c : new ControlClient[] {admin, operator}) {
            if (c != null) {
                c.close();
            }
        }
        if (daemon != null) {
            daemon.stop();
        }
    }

    /// A client as a member of the control group would be (the socket's peer credentials decide
    /// that on a real agent; here the session is made with the role).
    ControlClient operatorChannel() throws IOException {
        var up = Pipe.open();
        var down = Pipe.open();
        var toAgent = Channels.newOutputStream(up.sink());
        var session = new ControlSession("operator", Role.OPERATOR, Channels.newInputStream(up.source()),
                Channels.newOutputStream(down.sink()), daemon.dispatcher(), daemon.events(), Protocol.MAX_LINE_BYTES,
                ControlSession.OUTBOX_BYTES, new RefusalLog(), s -> {
                });
        Thread.ofVirtual().name("operator session").start(session::serve);
        return ControlClient.over(Channels.newInputStream(down.source()), toAgent, () -> {
            toAgent.close();
            session.close(null);
        }, "operator");
    }

    Results.Config get() throws Exception {
        return admin.call(Methods.CONFIG_GET.name(), Params.None.NONE, Results.Config.class, CALL);
    }

    Results.Applied apply(ControlClient client, String base, String text) throws Exception {
        return client.call(Methods.CONFIG_APPLY.name(), new Params.ConfigApply(base, text), Results.Applied.class, CALL);
    }

    @Test
    void getGivesTheFilesOwnTextAndNamesTheIncludedFiles() throws Exception {
        var cfg = get();
        assertThat(cfg.text()).isEqualTo(MAIN);
        assertThat(cfg.path()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(cfg.revision()).isEqualTo(daemon.revision());
        assertThat(cfg.included()).containsExactly(services.toAbsolutePath().toString());
    }

    @Test
    void anApplyOfTheTextWithOneChangeWritesExactlyThatText() throws Exception {
        var cfg = get();
        var edited = cfg.text().replace("weight 1", "weight 5");
        var applied = apply(admin, cfg.revision(), edited);
        assertThat(applied.changes()).containsExactly("changed real server 198.51.100.11:80 in tcp/192.0.2.100:80");
        assertThat(Files.readString(file)).isEqualTo(edited);
        assertThat(Files.readString(services)).isEqualTo(SERVICES);
        var again = get();
        assertThat(again.text()).isEqualTo(edited);
        assertThat(again.revision()).isEqualTo(applied.revision());
        assertThat(again.included()).containsExactly(services.toAbsolutePath().toString());
    }

    @Test
    void anOperatorMaySendBackTheIncludesTheFileHasButNoNewOne() throws Exception {
        var cfg = get();
        var edited = cfg.text().replace("weight 1", "weight 4");
        var applied = apply(operator, cfg.revision(), edited);
        assertThat(Files.readString(file)).isEqualTo(edited);

        Files.writeString(dir.resolve("extra.conf"), "! nothing\n");
        var withNew = edited + "include extra.conf\n";
        var refused = catchThrowableOfType(RpcException.class, () -> apply(operator, applied.revision(), withNew));
        assertThat(refused).isNotNull();
        assertThat(refused.error().code()).isEqualTo(Protocol.Errors.NOT_PERMITTED);
        assertThat(refused.error().message())
                .startsWith("an include the configuration file does not already have (include extra.conf at ")
                .contains("needs root");
        assertThat(Files.readString(file)).isEqualTo(edited);
        assertThat(get().text()).isEqualTo(edited);

        // Dropping an include reads less: allowed.
        var without = edited.replace("include services.conf\n", "");
        apply(operator, applied.revision(), without);
        assertThat(Files.readString(file)).isEqualTo(without);
        assertThat(get().included()).isEmpty();
    }

    @Test
    void aRefusedApplyLeavesTheFileAndTheTextAlone() throws Exception {
        var cfg = get();
        var broken = cfg.text().replace("lb_algo wrr", "lb_algo wrr {");
        var refused = catchThrowableOfType(RpcException.class, () -> apply(admin, cfg.revision(), broken));
        assertThat(refused).isNotNull();
        assertThat(refused.error().code()).isEqualTo(Protocol.Errors.INVALID_CONFIG);
        assertThat(Files.readString(file)).isEqualTo(MAIN);
        assertThat(get().text()).isEqualTo(MAIN);
        assertThat(get().revision()).isEqualTo(cfg.revision());
    }

    @Test
    void aHandEditOfAFileTheAppliedTextStillIncludesIsNeverOverwritten() throws Exception {
        var cfg = get();
        var applied = apply(admin, cfg.revision(), cfg.text().replace("weight 1", "weight 3"));
        var hand = SERVICES.replace("weight 2", "weight 8");
        Files.writeString(services, hand);
        var refused = catchThrowableOfType(RpcException.class, () -> admin.call(Methods.REAL_SERVER_UPDATE.name(),
                new Params.RealServerUpdate(applied.revision(), "tcp/192.0.2.100:443", "198.51.100.12:443", 5, null),
                Results.Applied.class, CALL));
        assertThat(refused).isNotNull();
        assertThat(refused.error().code()).isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        assertThat(refused.error().message()).contains("services.conf");
        assertThat(Files.readString(services)).isEqualTo(hand);
    }

    @Test
    void aFileInLatin1KeepsItsBytes() throws Exception {
        // "é" as one byte (0xE9): not UTF-8, so the file is read as ISO-8859-1.
        var latin1 = MAIN.replace("keep these notes", "caf\u00e9 notes").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        daemon.reload();
        var cfg = get();
        assertThat(cfg.text()).contains("caf\u00e9 notes");
        var edited = cfg.text().replace("weight 1", "weight 6");
        apply(admin, cfg.revision(), edited);
        assertThat(Files.readAllBytes(file)).isEqualTo(edited.getBytes(StandardCharsets.ISO_8859_1));
        // A character Latin-1 has not: the file becomes UTF-8.
        var euro = get().text().replace("caf\u00e9 notes", "10 \u20ac notes");
        apply(admin, get().revision(), euro);
        assertThat(Files.readAllBytes(file)).isEqualTo(euro.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aHandEditNotYetReloadedIsNotShownAsWhatRuns() throws Exception {
        Files.writeString(file, MAIN.replace("weight 1", "weight 9"));
        assertThat(get().text()).as("the text the agent runs").isEqualTo(MAIN);
        daemon.reload();
        assertThat(get().text()).isEqualTo(MAIN.replace("weight 1", "weight 9"));
    }

    /// The configuration revision names the content, so a comment-only change keeps it: without
    /// the text revision a second console would write its own comments over the first's unseen.
    @Test
    void aCommentOnlyChangeByAnotherConsoleIsRefusedNotLost() throws Exception {
        var seen = get();
        var base = Results.textRevision(seen.text());
        var first = apply(admin, seen.revision(), seen.text().replace("! the web pool", "! the web pool (A)"), base);
        assertThat(first.revision()).as("a comment-only change").isEqualTo(seen.revision());

        var refused = catchThrowableOfType(RpcException.class, () -> apply(admin, seen.revision(),
                seen.text().replace("# lvs-master", "# lvs-master (B)"), base));
        assertThat(refused).isNotNull();
        assertThat(refused.error().code()).isEqualTo(Protocol.Errors.STALE_REVISION);
        assertThat(refused.error().message()).contains("comments or layout only");
        assertThat(Files.readString(file)).contains("the web pool (A)").doesNotContain("(B)");

        var again = get();
        apply(admin, again.revision(), again.text().replace("# lvs-master", "# lvs-master (B)"),
                Results.textRevision(again.text()));
        assertThat(Files.readString(file)).contains("the web pool (A)").contains("# lvs-master (B)");
        // a console that sends no text revision is not checked (as before it existed)
        apply(admin, seen.revision(), MAIN);
        assertThat(Files.readString(file)).isEqualTo(MAIN);
    }

    Results.Applied apply(ControlClient client, String base, String text, String baseText) throws Exception {
        return client.call(Methods.CONFIG_APPLY.name(), new Params.ConfigApply(base, text, baseText),
                Results.Applied.class, CALL);
    }
}
