package dev.pharos.agent.ipvs.kernel;

import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.ipvs.table.AddressFamily;
import dev.pharos.agent.ipvs.table.BackendException;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.ForwardingMethod;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import dev.pharos.agent.ipvs.table.ServiceTable;
import dev.pharos.agent.linux.GenericNetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelIpvsTest {

    static final ServiceKey WEB = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.10"), 80);
    static final ServiceKey MARK6 = new ServiceKey.ByFwmark(9, AddressFamily.INET6);

    @Test
    void presentWithTheVersionFromGetInfo() {
        var present = assertInstanceOf(KernelIpvs.Present.class, KernelIpvs.open(new FakeIpvsKernel()));
        assertEquals("1.2.1", present.version());
        assertEquals(4096, present.connectionTableSize());
        assertEquals("kernel", present.ipvs().name());
    }

    @Test
    void absentWhenTheFamilyLookupFindsNothing() {
        var absent = assertInstanceOf(KernelIpvs.Absent.class, KernelIpvs.open(new FakeIpvsKernel().withoutIpvs()));
        assertTrue(absent.reason().contains("the kernel has no IPVS (ip_vs module not loaded"), absent.reason());
    }

    @Test
    void absentWhenNetlinkItselfFails() {
        var broken = GenlTransport.of(name -> {
            throw new IOException("EPROTONOSUPPORT: socket(AF_NETLINK, NETLINK_GENERIC): Protocol not supported");
        }, request -> List.of());
        var absent = assertInstanceOf(KernelIpvs.Absent.class, KernelIpvs.open(broken));
        assertTrue(absent.reason().contains("Protocol not supported"), absent.reason());
    }

    @Test
    void absentOnThisMachinesRealKernelWithoutIpVs() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"));
        assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has IPVS loaded");
        try (var genl = GenericNetlink.open()) {
            var availability = KernelIpvs.open(GenlTransport.of(genl::resolveFamily, genl::transact));
            var absent = assertInstanceOf(KernelIpvs.Absent.class, availability);
            assertTrue(absent.reason().contains("ip_vs module not loaded"), absent.reason());
        }
    }

    @Test
    void everyOperationReachesTheKernelAndReadsBack() throws Exception {
        var kernel = new FakeIpvsKernel();
        var ipvs = kernel.open();
        var persistent = new ServiceSettings("wrr", ServiceSettings.PERSISTENT, Duration.ofSeconds(120), 24);
        var d1 = new Destination(ip("198.51.100.1"), 80, 3, ForwardingMethod.DR, 0, 0);
        var d6 = new Destination(ip("2001:db8::7"), 0, 1, ForwardingMethod.TUN, 50, 5);

        ipvs.apply(new IpvsOp.AddService(WEB, persistent));
        ipvs.apply(new IpvsOp.AddService(MARK6, ServiceSettings.of("sh")));
        ipvs.apply(new IpvsOp.AddDest(WEB, d1));
        ipvs.apply(new IpvsOp.AddDest(MARK6, d6));
        var expected = ServiceTable.builder().service(WEB, persistent).service(MARK6, ServiceSettings.of("sh"))
                .destination(WEB, d1).destination(MARK6, d6).build();
        // HASHED, 16-byte addresses and stats in the kernel's answer do not leak into the table
        assertEquals(expected, ipvs.read());

        ipvs.apply(new IpvsOp.EditService(WEB, ServiceSettings.of("rr").forFamily(AddressFamily.INET)));
        ipvs.apply(new IpvsOp.EditDest(WEB, d1.withWeight(0)));
        ipvs.apply(new IpvsOp.DeleteDest(MARK6, d6.endpoint()));
        ipvs.apply(new IpvsOp.DeleteService(MARK6));
        assertEquals(ServiceTable.builder().service(WEB, ServiceSettings.of("rr").forFamily(AddressFamily.INET))
                .destination(WEB, d1.withWeight(0)).build(), ipvs.read());
        assertEquals(kernel.table(), ipvs.read());
    }

    @Test
    void aRefusalSaysWhatWhereAndWhy() throws Exception {
        var ipvs = new FakeIpvsKernel().open();
        ipvs.apply(new IpvsOp.AddService(WEB, ServiceSettings.of("rr")));

        var exists = assertThrows(BackendException.class, () -> ipvs.apply(
                new IpvsOp.AddService(WEB, ServiceSettings.of("rr"))));
        assertEquals("IPVS refused to add service TCP 192.0.2.10:80 (rr): EEXIST (it is already there)",
                exists.getMessage());
        var scheduler = assertThrows(BackendException.class, () -> ipvs.apply(
                new IpvsOp.AddService(MARK6, ServiceSettings.of("fancy"))));
        assertTrue(scheduler.getMessage().contains("no scheduler 'fancy'; is the ip_vs_fancy module available?"),
                scheduler.getMessage());
        var noService = assertThrows(BackendException.class, () -> ipvs.apply(new IpvsOp.AddDest(MARK6,
                new Destination(ip("2001:db8::7"), 0, 1, ForwardingMethod.DR, 0, 0))));
        assertTrue(noService.getMessage().contains("to FWM 9 IPv6: ESRCH (the service is not there)"),
                noService.getMessage());
        var noDest = assertThrows(BackendException.class, () -> ipvs.apply(new IpvsOp.DeleteDest(WEB,
                new Endpoint(ip("198.51.100.1"), 80))));
        assertTrue(noDest.getMessage().contains("ENOENT (the destination is not there)"), noDest.getMessage());
    }

    @Test
    void aNetlinkFailureAndAMalformedAnswerAreBackendExceptions() {
        var kernel = new FakeIpvsKernel();
        var ipvs = kernel.open();
        kernel.failDumps(1);
        var io = assertThrows(BackendException.class, ipvs::read);
        assertTrue(io.getMessage().startsWith("could not list the IPVS services: netlink failed: ENOBUFS"),
                io.getMessage());

        var garbage = GenlTransport.of(name -> Optional.of(FakeIpvsKernel.FAMILY), request -> {
            // a GET_INFO that answers with a 3-byte message
            return List.of(new byte[3]);
        });
        var absent = assertInstanceOf(KernelIpvs.Absent.class, KernelIpvs.open(garbage));
        assertTrue(absent.reason().contains("the kernel's answer is malformed"), absent.reason());
    }

    @Test
    void countersComeFromTheDestinationDump() throws Exception {
        var kernel = new FakeIpvsKernel();
        var ipvs = kernel.open();
        var d1 = new Destination(ip("198.51.100.1"), 80, 1, ForwardingMethod.NAT, 0, 0);
        ipvs.apply(new IpvsOp.AddService(WEB, ServiceSettings.of("rr")));
        ipvs.apply(new IpvsOp.AddDest(WEB, d1));
        var stats = new IpvsStats(10, 20, 30, 4000, 5000, 1, 2, 3, 4, 5);
        kernel.stats(d1.endpoint(), stats);

        var counters = ipvs.counters().get(WEB).get(d1.endpoint());
        assertEquals(new KernelIpvs.DestinationCounters(2, 1, 0, stats), counters);
    }
}
