package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.edit.Edit;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javafx.concurrent.Worker;
import javafx.geometry.Point2D;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The topology's view model without a scene: a real cluster model, a real edit service (talking
/// to in-memory agents where an edit must be applied) and an executor the test runs by hand, so
/// that what runs off the FX thread is seen to.
class TopologyViewModelTest {

    static final String VS_80 = "tcp/192.0.2.100:80";
    static final String RS_11 = "198.51.100.11:80";

    /// Tasks handed to the view model's executor, run when the test says.
    final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    final Executor byHand = queued::add;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void toolkit() throws Exception {
        // Task callbacks and the edit service's answers run on the FX thread; no stage is shown.
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        for (var c : closing) {
            c.close();
        }
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
    }

    static void fx(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    static void await(Callable<Boolean> condition, String what) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
        assertThat(condition.call()).as(what).isTrue();
    }

    /// Runs what was queued on a thread of the test's own (not the FX thread), and waits for it.
    void runQueued() throws Exception {
        var worker = Thread.ofPlatform().name("test-work").start(() -> {
            for (Runnable r; (r = queued.poll()) != null;) {
                r.run();
            }
        });
        worker.join(Duration.ofSeconds(30));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /// A cluster whose model changes run on the calling thread.
    static ClusterModel cluster() {
        return new ClusterModel("seed", Runnable::run);
    }

    TopologyViewModel model(ClusterModel cluster) {
        var edits = new EditService(cluster, Map.of(), Runnable::run, Runnable::run);
        closing.add(edits);
        return new TopologyViewModel(cluster, edits, byHand);
    }

    static AgentState.RealServer realServer(String id, String health, int weight) {
        return new AgentState.RealServer(id, id.substring(0, id.indexOf(':')), 80, weight, weight, health, null, null,
                List.of(), AgentState.Traffic.NONE);
    }

    /// What a director reports: VI_1 in `role` holding 192.0.2.100, and :80 with `realServers`.
    static AgentState state(String name, String role, String scheduler, AgentState.RealServer... realServers) {
        var vi1 = new AgentState.VrrpInstance("VI_1", 90, "eth0", 3, role, 100, 100, null, List.of("192.0.2.100/32"),
                1000, null, 0, List.of(), Map.of());
        var vs = new AgentState.VirtualServer(VS_80, "TCP", "192.0.2.100", 80, null, null, scheduler, "DR", "kernel",
                null, 0, 1, true, null, List.of(realServers));
        return new AgentState("r1", name, Instant.now(), 0, new AgentState.Balancer("kernel", null), List.of(vi1),
                List.of(vs));
    }

    static List<RealServerModel> perDirector(ClusterModel cluster, String rsId) {
        return cluster.directors().stream().map(d -> d.virtualServer(VS_80).flatMap(v -> v.realServer(rsId)).orElseThrow())
                .toList();
    }

    @Test
    void aRealServersHealthIsTheWorstOverThePair() {
        var cluster = cluster();
        var vm = model(cluster);
        var cases = Map.of(
                List.of("up", "down"), ShownHealth.DOWN,
                List.of("down", "unchecked"), ShownHealth.DOWN,
                List.of("unchecked", "up"), ShownHealth.UP,
                List.of("unchecked", "unknown"), ShownHealth.UNCHECKED,
                List.of("unknown", "no such word"), ShownHealth.UNKNOWN,
                List.of("up", "up"), ShownHealth.UP);
        cases.forEach((healths, shown) -> {
            cluster.listenerFor("lvs-master").agentState(state("lvs-master", "MASTER", "wrr",
                    realServer(RS_11, healths.get(0), 1)));
            cluster.listenerFor("lvs-backup").agentState(state("lvs-backup", "BACKUP", "wrr",
                    realServer(RS_11, healths.get(1), 1)));
            assertThat(vm.health(perDirector(cluster, RS_11))).as("%s", healths).isEqualTo(shown);
        });
        assertThat(vm.health(List.of())).isEqualTo(ShownHealth.UNKNOWN);
    }

    @Test
    void theRoleOfAVipIsTheRoleOfTheInstanceThatHoldsIt() {
        var cluster = cluster();
        var vm = model(cluster);
        for (var role : ShownRole.values()) {
            cluster.listenerFor("lvs-master").agentState(state("lvs-master", role.name(), "wrr"));
            var d = cluster.director("lvs-master").orElseThrow();
            assertThat(vm.roleOf(d, "192.0.2.100")).contains(role);
            assertThat(vm.role(d.instances().getFirst())).isEqualTo(role);
        }
        var d = cluster.director("lvs-master").orElseThrow();
        assertThat(vm.roleOf(d, "192.0.2.200")).as("a VIP no instance holds").isEmpty();
        assertThat(vm.roleOf(d, null)).isEmpty();
    }

    @Test
    void aDirectorWaitingOutItsBackoffSaysWhenItIsTriedAgain() {
        var cluster = cluster();
        var vm = model(cluster);
        var listener = cluster.listenerFor("lvs-backup");
        var d = cluster.director("lvs-backup").orElseThrow();
        var seen = new ArrayList<Optional<Instant>>();
        vm.retryChanges(d).addListener(o -> seen.add(vm.nextRetry(d)));
        var since = Instant.parse("2026-12-07T11:00:00Z");
        listener.linkState(new LinkState.Retrying(since, "refused", Duration.ofSeconds(4), 1));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.UNREACHABLE);
        assertThat(vm.nextRetry(d)).contains(since.plusSeconds(4));
        listener.linkState(new LinkState.Connected(since.plusSeconds(5), new Hello(Protocol.VERSION, "test", "lvs-backup",
                new Hello.Capabilities("kernel", List.of(2, 3), List.of("eth0"), Protocol.METHODS))));
        assertThat(vm.nextRetry(d)).as("live: no retry").isEmpty();
        assertThat(seen).as("each change is seen").containsExactly(Optional.of(since.plusSeconds(4)), Optional.empty());
    }

    /// What a director that announces 192.0.2.10 through BIRD reports, as `announce.get` or
    /// `announce.changed` says it.
    static AgentEvent.AnnounceChanged announced(boolean draining, Boolean announced, String problem,
            Results.BgpSession... sessions) {
        return new AgentEvent.AnnounceChanged(1, Instant.now(), new Results.Announcements("bird", draining,
                List.of(new Results.Announcement("192.0.2.10", true, !draining, announced, problem)), List.of(sessions)));
    }

    /// One of several active directors: no VRRP instance, the virtual server on the VIP its routing
    /// daemon announces, connected.
    static void ecmpDirector(ClusterModel cluster, String name, AgentEvent.AnnounceChanged announcements) {
        var vs = new AgentState.VirtualServer("tcp/192.0.2.10:80", "TCP", "192.0.2.10", 80, null, null, "mh", "DR",
                "kernel", null, 0, 1, true, null, List.of(realServer(RS_11, "up", 1)));
        var listener = cluster.listenerFor(name);
        listener.agentState(new AgentState("r1", name, Instant.now(), 0, new AgentState.Balancer("kernel", null),
                List.of(), List.of(vs)));
        listener.linkState(new LinkState.Connected(Instant.now(), new Hello(Protocol.VERSION, "test", name,
                new Hello.Capabilities("kernel", List.of(2, 3), List.of("eth0"), Protocol.METHODS))));
        listener.event(announcements);
    }

    @Test
    void severalActiveDirectorsAreShownPerDirectorAndCountedOnTheVip() {
        var cluster = cluster();
        var vm = model(cluster);
        var up = new Results.BgpSession("upstream", true, "Established");
        ecmpDirector(cluster, "dir-1", announced(false, true, null, up));
        ecmpDirector(cluster, "dir-2", announced(true, false, null, up));
        ecmpDirector(cluster, "dir-3", announced(false, false, null, new Results.BgpSession("upstream", false, "Active")));
        ecmpDirector(cluster, "dir-4", announced(false, null, "cannot reach BIRD"));
        cluster.listenerFor("lvs-master").agentState(state("lvs-master", "MASTER", "wrr"));
        var d = cluster.directors();

        assertThat(d.stream().map(x -> vm.announcementOf(x, "192.0.2.10")).toList()).containsExactly(
                Optional.of(ShownAnnouncement.ANNOUNCED), Optional.of(ShownAnnouncement.DRAINING),
                Optional.of(ShownAnnouncement.WITHDRAWN), Optional.of(ShownAnnouncement.UNKNOWN), Optional.empty());
        assertThat(vm.roleOf(d.getFirst(), "192.0.2.10")).as("no VRRP: not a master/backup pair").isEmpty();
        assertThat(vm.ecmpLine("192.0.2.10")).contains("ECMP · 1 of 4 announce");
        assertThat(vm.ecmpLine("192.0.2.100")).as("a VRRP-held VIP").isEmpty();

        assertThat(vm.announceLine(d.get(0))).contains("BGP · bird · announces 192.0.2.10");
        assertThat(vm.announceLine(d.get(1))).contains("out of service · all withdrawn");
        assertThat(vm.announceLine(d.get(2))).contains("BGP · bird · announces nothing · withdrawn 192.0.2.10");
        assertThat(vm.announceLine(d.get(4))).isEmpty();
        assertThat(vm.sessionLine(d.get(0))).contains("router upstream: up");
        assertThat(vm.sessionLine(d.get(2))).contains("router upstream: Active");
        assertThat(vm.sessionLine(d.get(3))).contains("router: no BGP session reported");
        assertThat(d.stream().map(vm::announces).toList()).containsExactly(true, true, true, true, false);
        assertThat(d.stream().map(vm::outOfService).toList()).containsExactly(false, true, false, false, false);
        assertThat(vm.announcesVipOf(d.get(1), "tcp/192.0.2.10:80")).isTrue();
        assertThat(vm.announcesVipOf(d.get(4), VS_80)).isFalse();

        // a director that announces nothing has nothing to withdraw: said, nothing sent
        vm.takeOutOfService(d.get(4));
        assertThat(vm.statusProperty().get()).isEqualTo("lvs-master announces no VIP through a routing daemon: "
                + "nothing to withdraw");
        assertThat(vm.statusErrorProperty().get()).isTrue();

        // the timeline says what changed, once
        assertThat(cluster.timeline().stream().filter(e -> e.kind().equals("announce")).map(e -> e.director() + ": "
                + e.text()).toList()).containsExactly("dir-1: 192.0.2.10 announced",
                        "dir-2: out of service: every VIP withdrawn from bird; 192.0.2.10 withdrawn",
                        "dir-3: 192.0.2.10 withdrawn; BGP session upstream: Active",
                        "dir-4: 192.0.2.10: cannot reach BIRD");
        cluster.listenerFor("dir-2").event(announced(false, true, null, up));
        assertThat(cluster.timeline().getLast().text()).isEqualTo("back in service: VIPs announced through bird once "
                + "healthy; 192.0.2.10 announced");
        assertThat(vm.ecmpLine("192.0.2.10")).contains("ECMP · 2 of 4 announce");
    }

    @Test
    void takingADirectorOutOfServiceIsUndoneByPuttingItBack() {
        var out = new Edit.Drain("dir-2", true);
        assertThat(out.describe()).isEqualTo("take dir-2 out of service (withdraw its VIPs)");
        assertThat(out.inverse()).isEqualTo(new Edit.Drain("dir-2", false));
        assertThat(out.inverse().describe()).isEqualTo("put dir-2 back in service (announce its VIPs)");
        assertThat(out.call("any").params()).isEqualTo(new Params.Drain(true));
        assertThat(out.call("any").method()).isEqualTo(Methods.ANNOUNCE_DRAIN);
    }

    @Test
    void reconnectNowAsksTheClusterToConnectThatDirector() {
        var cluster = cluster();
        var vm = model(cluster);
        var asked = new ArrayList<String>();
        cluster.onReconnect(asked::add);
        cluster.listenerFor("lvs-backup");
        vm.reconnectNow(cluster.director("lvs-backup").orElseThrow());
        assertThat(asked).containsExactly("lvs-backup");
    }

    @Test
    void driftIsFixedOnTheDirectorThatDiffersOnly() {
        var cluster = cluster();
        var vm = model(cluster);
        cluster.listenerFor("lvs-master").agentState(state("lvs-master", "MASTER", "wrr", realServer(RS_11, "up", 1)));
        cluster.listenerFor("lvs-backup").agentState(state("lvs-backup", "BACKUP", "rr", realServer(RS_11, "up", 3)));
        var fixes = vm.driftFixes(VS_80, new Drift(VS_80, "lvs-master", List.of("scheduler", "weight")));
        assertThat(fixes).singleElement().satisfies(f -> {
            assertThat(f.director()).isEqualTo("lvs-backup");
            assertThat(f.reference()).isEqualTo("lvs-master");
            assertThat(f.edits()).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(Edit.OnDirector.class,
                    o -> assertThat(o.director()).isEqualTo("lvs-backup")));
        });
        assertThat(vm.driftFixes(VS_80, new Drift(VS_80, "lvs-gone", List.of("x")))).isEmpty();
    }

    @Test
    void theStatusLineAndItsErrorFlagFollowEachOutcome() throws Exception {
        var master = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        var cluster = ClusterModel.onFxThread("seed");
        var connections = new LinkedHashMap<String, DirectorConnection>();
        var edits = EditService.onFxThread(cluster, connections);
        closing.add(edits);
        var vm = new TopologyViewModel(cluster, edits, byHand);
        var endpoint = new DirectorEndpoint("lvs-master", "in-memory", 0, null, null, null, null);
        fx(() -> connections.put("lvs-master", new DirectorConnection(endpoint, master::connect,
                cluster.listenerFor("lvs-master"), Duration.ofMillis(300), Duration.ofSeconds(5)).start()));
        closing.add(() -> connections.values().forEach(DirectorConnection::close));
        await(() -> fx(() -> cluster.director("lvs-master").map(d -> d.livenessProperty().get() == Liveness.LIVE
                && d.virtualServer(VS_80).isPresent()).orElse(false)), "live");

        // read in the same FX turn: the fake agent can answer before a second one
        assertThat(fx(() -> {
            vm.setWeight(VS_80, RS_11, " 3 ", 1);
            return vm.statusProperty().get();
        })).isEqualTo("sending: weight 3 for " + RS_11 + " in " + VS_80 + "…");
        await(() -> fx(() -> vm.statusProperty().get()).startsWith("applied: weight 3"), "applied");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isFalse();
        assertThat(fx(() -> vm.answeredProperty().get())).isEqualTo(1);
        assertThat(master.edits().getLast().params().get("weight").asInt()).isEqualTo(3);

        master.refuseWhen((method, params) -> true);
        fx(() -> vm.setWeight(VS_80, RS_11, "4", 3));
        await(() -> fx(() -> vm.statusProperty().get()).startsWith("refused: weight 4"), "refused");
        assertThat(fx(() -> vm.statusProperty().get())).contains("lvs-master: refused by the test agent");
        assertThat(fx(() -> vm.statusErrorProperty().get())).as("a refusal is an error").isTrue();
        assertThat(fx(() -> vm.answeredProperty().get())).isEqualTo(2);

        fx(() -> vm.setWeight(VS_80, RS_11, "heavy", 3));
        assertThat(fx(() -> vm.statusProperty().get())).isEqualTo("\"heavy\" is not a weight (0–65535)");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isTrue();
        assertThat(fx(() -> vm.parseNewServer("198.51.100.20:x"))).isEmpty();
        assertThat(fx(() -> vm.statusProperty().get())).contains("expected ADDRESS[:PORT] [WEIGHT]");

        master.refuseWhen((method, params) -> false);
        var ref = fx(() -> new TopologyViewModel.RealServerRef(VS_80, RS_11, perDirector(cluster, RS_11).getFirst()));
        fx(() -> vm.toggleDrain(ref.model(), List.of(ref)));
        assertThat(fx(() -> vm.statusErrorProperty().get())).as("plain again with the next message").isFalse();
        await(() -> fx(() -> vm.statusProperty().get()).startsWith("applied: drain " + RS_11), "drained");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isFalse();
        assertThat(master.edits().getLast().params().get("weight").asInt()).isZero();
    }

    @Test
    void aNewServerIsReadAsTheOperatorTypedIt() throws Exception {
        var vm = model(cluster());
        assertThat(fx(() -> vm.parseNewServer(" 198.51.100.20:8080 2 "))).contains(
                new TopologyViewModel.NewServer("198.51.100.20", 8080, 2));
        assertThat(fx(() -> vm.parseNewServer("198.51.100.20"))).contains(
                new TopologyViewModel.NewServer("198.51.100.20", null, 1));
        assertThat(fx(() -> vm.parseNewServer("2001:db8::20 5"))).as("an IPv6 address has no port").contains(
                new TopologyViewModel.NewServer("2001:db8::20", null, 5));
        assertThat(fx(() -> vm.statusErrorProperty().get())).isFalse();
    }

    @Test
    void theArrangementIsReadAndSavedByTasksOnTheExecutor(@TempDir Path dir) throws Exception {
        var vm = model(cluster());
        var file = dir.resolve("layout-seed.json");
        Files.writeString(file, """
                {"vs a": {"dx": 10, "dy": 20}}
                """);
        fx(() -> vm.rememberLayoutIn(file));
        assertThat(fx(() -> vm.offsetsProperty().get())).as("not read on the calling thread").isEmpty();
        runQueued();
        assertThat(fx(() -> vm.offsetsProperty().get())).containsExactly(Map.entry("vs a", new Point2D(10, 20)));

        var layout = fx(() -> vm.arrange(List.of("d"), 2, Map.of("a", List.of("r"), "b", List.of("s"))));
        var auto = TopologyLayout.compute(List.of("d"), 2, Map.of("a", List.of("r"), "b", List.of("s")));
        assertThat(layout.virtualServers().get("a").x()).isEqualTo(auto.virtualServers().get("a").x() + 10);
        assertThat(layout.realServers().get("a|r").y()).as("its real servers go with it")
                .isEqualTo(auto.realServers().get("a|r").y() + 20);
        assertThat(layout.virtualServers().get("b")).isEqualTo(auto.virtualServers().get("b"));
        assertThat(layout.directors().get("d")).isEqualTo(auto.directors().get("d"));

        fx(() -> vm.moveBy("director d", 5, 6));
        fx(() -> vm.moveBy("vs a", 1, 1));
        assertThat(Files.readString(file)).as("not written on the calling thread").doesNotContain("director d");
        assertThat(queued).isNotEmpty();
        runQueued();
        assertThat(Files.readString(file)).contains("\"director d\"").contains("\"dx\" : 11.0").contains("\"dy\" : 21.0");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isFalse();
    }

    @Test
    void anUnreadableArrangementIsSaidAndTheAutomaticOneUsed(@TempDir Path dir) throws Exception {
        var vm = model(cluster());
        var file = dir.resolve("layout-seed.json");
        Files.writeString(file, "{ not json");
        fx(() -> vm.rememberLayoutIn(file));
        runQueued();
        assertThat(fx(() -> vm.statusProperty().get())).isEqualTo("the saved layout " + file
                + " is unreadable; using the automatic one");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isTrue();
        assertThat(fx(() -> vm.offsetsProperty().get())).isEmpty();
    }

    @Test
    void aPictureIsWrittenAsPngByATaskOnTheExecutor(@TempDir Path dir) throws Exception {
        var vm = model(cluster());
        var file = dir.resolve("topology.png");
        var argb = new int[6];
        argb[0] = 0xff112233;
        argb[5] = 0xffabcdef;
        var export = fx(() -> vm.exportPng(file, new Picture(3, 2, argb)));
        assertThat(file).as("not written on the calling thread").doesNotExist();
        runQueued();
        await(() -> fx(export::getState) == Worker.State.SUCCEEDED, "exported");
        var image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(3);
        assertThat(image.getRGB(0, 0)).isEqualTo(0xff112233);
        assertThat(image.getRGB(2, 1)).isEqualTo(0xffabcdef);
        assertThat(fx(() -> vm.statusProperty().get())).isEqualTo("exported " + file.toAbsolutePath());

        var failed = fx(() -> vm.exportPng(dir.resolve("no/such/dir/t.png"), new Picture(1, 1, new int[1])));
        runQueued();
        await(() -> fx(failed::getState) == Worker.State.FAILED, "failed");
        assertThat(fx(() -> vm.statusProperty().get())).startsWith("export failed: ");
        assertThat(fx(() -> vm.statusErrorProperty().get())).isTrue();
    }
}
