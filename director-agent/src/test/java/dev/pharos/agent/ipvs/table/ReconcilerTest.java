package dev.pharos.agent.ipvs.table;

import static dev.pharos.agent.ipvs.table.TableSpecTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.ipvs.kernel.FakeIpvsKernel;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.table.HealthView.CheckState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The whole path: config → desired state → diff → [KernelIpvs] → generic netlink bytes → a fake
/// kernel that decodes them, keeps the table and answers dumps.
class ReconcilerTest {

    private FakeIpvsKernel kernel;
    private KernelIpvs ipvs;
    private final List<Duration> pauses = new ArrayList<>();
    private final List<Reconciler.Event> events = new ArrayList<>();
    private Reconciler reconciler;
    private TableSpec seed;

    @BeforeEach
    void setUp() throws Exception {
        kernel = new FakeIpvsKernel();
        ipvs = kernel.open();
        reconciler = new Reconciler(ipvs, new Reconciler.RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(80),
                2), pauses::add, events::add);
        seed = TableSpec.from(ConfigLoader.load(Path.of("src/test/resources/config/seed/lvs-master.conf"), "")
                .config());
    }

    @Test
    void theSeedsTableIsProgrammedAndReadBack() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();

        var outcome = reconciler.reconcile(desired);

        assertTrue(outcome.converged());
        assertEquals(desired, outcome.actual());
        assertEquals(desired, kernel.table());
        assertEquals(6, outcome.applied().size(), "2 services + 4 destinations");
        assertEquals(List.of(), events);
    }

    @Test
    void reconcilingTwiceDoesNothingTheSecondTime() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        reconciler.reconcile(desired);
        int operations = kernel.operations();

        var again = reconciler.reconcile(desired);

        assertTrue(again.converged());
        assertEquals(List.of(), again.applied());
        assertEquals(operations, kernel.operations(), "no command reached the kernel");
    }

    @Test
    void aServerGoingDownIsOneDeleteNotAFlush() throws Exception {
        var start = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE);
        reconciler.reconcile(start.table());
        var vs = seed.virtualServers().getFirst();
        var down = new RealServerRef(vs.name(), vs.realServers().getFirst().endpoint());

        var next = start.next(seed, HealthView.NONE.with(down, CheckState.DOWN), RuntimeEdits.NONE);
        var outcome = reconciler.reconcile(next.table());

        assertEquals(List.of(new IpvsOp.DeleteDest(vs.keys().getFirst(), down.endpoint())), outcome.applied());
        assertEquals(next.table(), kernel.table());
    }

    @Test
    void aScopedReconcileReadsAndChangesOnlyItsServicesAndKeepsOwningTheOthers() throws Exception {
        var start = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE);
        reconciler.reconcile(start.table());
        var first = seed.virtualServers().get(0);
        var second = seed.virtualServers().get(1);
        var down = new RealServerRef(first.name(), first.realServers().getFirst().endpoint());
        var next = start.next(seed, HealthView.NONE.with(down, CheckState.DOWN), RuntimeEdits.NONE);
        // Someone removes a server of the other service: outside the scope, it is not looked at.
        var other = second.realServers().getFirst().endpoint();
        ipvs.apply(new IpvsOp.DeleteDest(second.keys().getFirst(), other));
        int dumps = kernel.destinationDumps();

        var scope = next.table().changedSince(start.table());
        var outcome = reconciler.reconcile(next.table(), scope);

        assertEquals(Set.of(first.keys().getFirst()), scope);
        assertTrue(outcome.converged());
        assertEquals(List.of(new IpvsOp.DeleteDest(first.keys().getFirst(), down.endpoint())), outcome.applied());
        assertEquals(next.table().only(scope), outcome.actual());
        assertEquals(2, kernel.destinationDumps() - dumps, "the scope's service, read before and after");
        assertFalse(kernel.table().services().get(second.keys().getFirst()).destinations().containsKey(other));
        assertEquals(new LinkedHashSet<>(start.table().services().keySet()), reconciler.owned().keys(),
                "services outside the scope stay owned");

        var whole = reconciler.reconcile(next.table());

        assertEquals(List.of(new IpvsOp.AddDest(second.keys().getFirst(),
                start.table().services().get(second.keys().getFirst()).destinations().get(other))), whole.applied());
    }

    @Test
    void aFailedOperationIsRetriedWithBackoffAndSucceeds() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        kernel.refuseNext(2, FakeIpvsKernel.ENOMEM);

        var outcome = reconciler.reconcile(desired);

        assertTrue(outcome.converged());
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(80)), pauses, "doubled, capped at 80 ms");
        assertEquals(List.of(), events);
    }

    @Test
    void anOperationThatKeepsFailingIsReportedAndTheAgentBelievesOnlyWhatItReadBack() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        kernel.refuseNext(Integer.MAX_VALUE, FakeIpvsKernel.EPERM);

        var outcome = reconciler.reconcile(desired);

        assertFalse(outcome.converged());
        assertEquals(ServiceTable.EMPTY, outcome.actual(), "what the kernel really holds, not what was asked");
        assertEquals(List.of(), outcome.applied());
        var failed = assertInstanceOf(Reconciler.Event.OpFailed.class, events.getFirst());
        assertInstanceOf(IpvsOp.AddService.class, failed.op());
        assertEquals(3, failed.attempts());
        assertTrue(failed.reason().contains("EPERM (not permitted: the agent needs CAP_NET_ADMIN)"), failed.reason());
        // the destinations of a service that could not be added are not even tried
        assertTrue(events.stream().anyMatch(e -> e instanceof Reconciler.Event.OpFailed f
                && f.op() instanceof IpvsOp.AddDest && f.attempts() == 0
                && f.reason().startsWith("skipped: its service")));
        assertEquals(2 * 2 * 3, kernel.operations(), "2 services x 3 tries x 2 rounds");
    }

    @Test
    void aFailureThatOutlastsTheRetriesIsPutRightInTheNextRound() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        kernel.refuseNext(3, FakeIpvsKernel.ENOMEM);

        var outcome = reconciler.reconcile(desired);

        assertTrue(outcome.converged());
        assertEquals(desired, kernel.table());
        assertInstanceOf(Reconciler.Event.OpFailed.class, events.getFirst());
        assertTrue(events.stream().anyMatch(e -> e instanceof Reconciler.Event.Diverged));
    }

    @Test
    void aBackendThatAcknowledgesWithoutApplyingIsCaughtByReReading() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        // the first service is acknowledged but not created: its destinations then fail (ESRCH)
        kernel.ignoreNext(1);

        var outcome = reconciler.reconcile(desired);

        var diverged = events.stream().filter(e -> e instanceof Reconciler.Event.Diverged)
                .map(Reconciler.Event.Diverged.class::cast).findFirst().orElseThrow();
        assertInstanceOf(IpvsOp.AddService.class, diverged.remaining().getFirst());
        assertTrue(outcome.converged(), "the next round put it right");
        assertEquals(desired, kernel.table());
    }

    @Test
    void aBackendThatNeverAppliesEndsUnconvergedWithTheTableItReallyHas() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        kernel.ignoreNext(Integer.MAX_VALUE);

        var outcome = reconciler.reconcile(desired);

        assertFalse(outcome.converged());
        assertEquals(ServiceTable.EMPTY, outcome.actual());
        assertEquals(2, events.stream().filter(e -> e instanceof Reconciler.Event.Diverged).count(),
                "one per re-read after applying (2 rounds)");
    }

    @Test
    void anUnreadableBackendIsReportedAndNothingIsApplied() throws Exception {
        kernel.failDumps(3);

        var outcome = reconciler.reconcile(DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table());

        assertNull(outcome.actual());
        assertFalse(outcome.converged());
        var failed = assertInstanceOf(Reconciler.Event.ReadFailed.class, events.getFirst());
        assertEquals("kernel", failed.backend());
        assertTrue(failed.reason().contains("ENOBUFS"), failed.reason());
        assertEquals(0, kernel.operations());
    }

    @Test
    void aTableChangedBehindTheAgentsBackIsPutRightButAServiceSomeoneElseAddedStays() throws Exception {
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        reconciler.reconcile(desired);
        // someone runs ipvsadm: a service of their own and a changed weight in Pharos's
        var stray = new ServiceKey.ByAddress(Protocol.UDP, ip("203.0.113.1"), 53);
        ipvs.apply(new IpvsOp.AddService(stray, ServiceSettings.of("rr")));
        var key = desired.services().keySet().iterator().next();
        var dest = desired.services().get(key).destinations().values().iterator().next();
        ipvs.apply(new IpvsOp.EditDest(key, dest.withWeight(9)));

        var outcome = reconciler.reconcile(desired);

        assertEquals(List.of(new IpvsOp.EditDest(key, dest)), outcome.applied());
        assertEquals(desired, outcome.actual());
        assertTrue(kernel.table().services().containsKey(stray));
        assertEquals(desired.services().size() + 1, kernel.table().services().size());
    }

    @Test
    void aServiceThereBeforeTheAgentStaysAndReleaseRemovesOnlyTheAgentsOwn() throws Exception {
        var foreign = new ServiceKey.ByAddress(Protocol.TCP, ip("203.0.113.2"), 443);
        ipvs.apply(new IpvsOp.AddService(foreign, ServiceSettings.of("wlc")));
        ipvs.apply(new IpvsOp.AddDest(foreign,
                new Destination(new Endpoint(ip("198.51.100.9"), 443), 1, ForwardingMethod.NAT)));
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();

        var outcome = reconciler.reconcile(desired);

        assertTrue(outcome.converged());
        assertTrue(outcome.applied().stream().noneMatch(op -> op.service().equals(foreign)));
        assertEquals(desired.services().keySet(), reconciler.owned().keys());
        var released = reconciler.release();
        assertTrue(released.converged());
        assertEquals(List.of(foreign), List.copyOf(kernel.table().services().keySet()));
        assertEquals(1, kernel.table().services().get(foreign).destinations().size());
        assertTrue(reconciler.owned().keys().isEmpty());
    }

    @Test
    void aRestartedAgentAdoptsItsOwnServicesWithoutReAddingThemAndDeletesTheOnesItDropped(@TempDir Path dir)
            throws Exception {
        var file = dir.resolve("ipvs-services");
        var desired = DesiredState.compute(seed, HealthView.NONE, RuntimeEdits.NONE).table();
        var first = new Reconciler(ipvs, Reconciler.RetryPolicy.DEFAULT, pauses::add, events::add,
                OwnedServices.in(file));
        first.reconcile(desired);
        var foreign = new ServiceKey.ByFwmark(42, AddressFamily.INET);
        ipvs.apply(new IpvsOp.AddService(foreign, ServiceSettings.of("rr")));
        // the next configuration drops one of the services
        var dropped = desired.services().keySet().iterator().next();
        var kept = ServiceTable.builder();
        desired.services().forEach((key, service) -> {
            if (!key.equals(dropped)) {
                kept.service(key, service.settings());
                service.destinations().values().forEach(d -> kept.destination(key, d));
            }
        });
        var next = kept.build();

        var restarted = new Reconciler(ipvs, Reconciler.RetryPolicy.DEFAULT, pauses::add, events::add,
                OwnedServices.in(file));
        var outcome = restarted.reconcile(next);

        assertTrue(outcome.converged());
        assertTrue(outcome.applied().stream().noneMatch(op -> op instanceof IpvsOp.AddService
                || op instanceof IpvsOp.AddDest), "adopted, not re-added: " + outcome.applied());
        assertEquals(new IpvsOp.DeleteService(dropped), outcome.applied().getLast());
        assertTrue(kernel.table().services().containsKey(foreign));
        assertEquals(next.services().keySet(), OwnedServices.in(file).keys());
    }

    @Test
    void theOwnershipFileReadsBackEveryKindOfKeyAndSkipsWhatIsNotOne(@TempDir Path dir) throws Exception {
        var keys = List.<ServiceKey>of(new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.10"), 80),
                new ServiceKey.ByAddress(Protocol.UDP, ip("2001:db8::1"), 53),
                new ServiceKey.ByAddress(Protocol.SCTP, ip("192.0.2.11"), 9),
                new ServiceKey.ByFwmark(1, AddressFamily.INET),
                new ServiceKey.ByFwmark(4294967295L, AddressFamily.INET6));
        var file = dir.resolve("owned");
        OwnedServices.in(file).set(new LinkedHashSet<>(keys));
        Files.writeString(file, "TCP example.com:80\nFWM 0\nUDP 192.0.2.1:70000\nICMP 192.0.2.1:1\n",
                StandardOpenOption.APPEND);

        assertEquals(keys, List.copyOf(OwnedServices.in(file).keys()));
    }
}
