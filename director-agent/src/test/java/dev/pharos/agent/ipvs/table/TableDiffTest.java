package dev.pharos.agent.ipvs.table;

import static dev.pharos.agent.ipvs.table.DesiredStateTest.OTHER;
import static dev.pharos.agent.ipvs.table.DesiredStateTest.WEB;
import static dev.pharos.agent.ipvs.table.DesiredStateTest.rs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableDiffTest {

    /// IPv4 services: settings as the kernel reports them (netmask /32).
    static final ServiceSettings RR = ServiceSettings.of("rr").forFamily(AddressFamily.INET);
    static final ServiceSettings WRR = ServiceSettings.of("wrr").forFamily(AddressFamily.INET);

    static Destination dest(int n, int weight) {
        return new Destination(rs(n), weight, ForwardingMethod.DR);
    }

    @Test
    void equalTablesNeedNothing() {
        var t = ServiceTable.builder().service(WEB, RR).destination(WEB, dest(1, 1)).build();
        assertEquals(List.of(), TableDiff.between(t, t));
        assertEquals(List.of(), TableDiff.between(ServiceTable.EMPTY, ServiceTable.EMPTY));
    }

    @Test
    void aNewServiceComesBeforeItsDestinations() {
        var desired = ServiceTable.builder().service(WEB, RR)
                .destination(WEB, dest(1, 1)).destination(WEB, dest(2, 2)).build();

        assertEquals(List.of(new IpvsOp.AddService(WEB, RR),
                new IpvsOp.AddDest(WEB, dest(1, 1)), new IpvsOp.AddDest(WEB, dest(2, 2))),
                TableDiff.between(ServiceTable.EMPTY, desired));
    }

    @Test
    void aRemovedServiceLosesItsDestinationsFirstThenItself() {
        var current = ServiceTable.builder().service(WEB, RR)
                .destination(WEB, dest(1, 1)).destination(WEB, dest(2, 2)).build();

        assertEquals(List.of(new IpvsOp.DeleteDest(WEB, rs(1)), new IpvsOp.DeleteDest(WEB, rs(2)),
                new IpvsOp.DeleteService(WEB)), TableDiff.between(current, ServiceTable.EMPTY));
    }

    @Test
    void aReplacedPoolGainsItsNewServersBeforeLosingTheOld() {
        var current = ServiceTable.builder().service(WEB, RR)
                .destination(WEB, dest(1, 1)).destination(WEB, dest(2, 1)).build();
        var desired = ServiceTable.builder().service(WEB, WRR)
                .destination(WEB, dest(2, 5)).destination(WEB, dest(3, 1)).build();

        assertEquals(List.of(new IpvsOp.EditService(WEB, WRR),
                new IpvsOp.AddDest(WEB, dest(3, 1)), new IpvsOp.EditDest(WEB, dest(2, 5)),
                new IpvsOp.DeleteDest(WEB, rs(1))), TableDiff.between(current, desired));
    }

    @Test
    void aMoveBetweenServicesAddsOnTheNewOneBeforeDeletingTheOldOneAndNeverFlushes() {
        var current = ServiceTable.builder().service(WEB, RR).service(OTHER,
                RR).destination(WEB, dest(1, 1)).destination(WEB, dest(2, 1)).build();
        var desired = ServiceTable.builder().service(WEB, RR).service(OTHER,
                RR).destination(WEB, dest(1, 1)).destination(OTHER, dest(2, 1)).build();

        var ops = TableDiff.between(current, desired);
        assertEquals(List.of(new IpvsOp.AddDest(OTHER, dest(2, 1)), new IpvsOp.DeleteDest(WEB, rs(2))), ops);
        assertTrue(ops.stream().noneMatch(op -> op instanceof IpvsOp.DeleteService));
    }

    @Test
    void settingsCompareAsTheKernelReportsThemForTheFamily() {
        // ServiceSettings.of gives /128; an IPv4 service reads back /32 from the kernel
        var byHand = ServiceTable.builder().service(WEB, ServiceSettings.of("rr")).build();
        var readBack = ServiceTable.builder().service(WEB, new ServiceSettings("rr", 0, java.time.Duration.ZERO, 32))
                .build();

        assertEquals(byHand, readBack);
        assertEquals(List.of(), TableDiff.between(readBack, byHand));
    }

    @Test
    void aForwardingOrThresholdChangeIsAnEdit() {
        var current = ServiceTable.builder().service(WEB, RR).destination(WEB, dest(1, 1))
                .build();
        var changed = new Destination(rs(1).address(), 80, 1, ForwardingMethod.NAT, 100, 10);
        var desired = ServiceTable.builder().service(WEB, RR).destination(WEB, changed).build();

        assertEquals(List.of(new IpvsOp.EditDest(WEB, changed)), TableDiff.between(current, desired));
    }
}
