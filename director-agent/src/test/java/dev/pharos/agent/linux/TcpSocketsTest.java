package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/// The native TCP socket layer on loopback: listen/accept/connect, addresses, relaying bytes,
/// half-close, reset, `EAGAIN` as a return value, and errors that name the call and the errno.
@Timeout(60)
class TcpSocketsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private TcpSockets sockets;
    private Epoll epoll;
    private final List<Integer> open = new ArrayList<>();

    @BeforeEach
    void open() throws NativeException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        sockets = TcpSockets.open();
        epoll = Epoll.open(16);
    }

    @AfterEach
    void close() {
        if (sockets != null) {
            for (int fd : open) {
                sockets.close(fd);
            }
            sockets.close();
            epoll.close();
        }
    }

    private int track(int fd) {
        open.add(fd);
        return fd;
    }

    private int listener(InetAddress at) throws NativeException {
        return track(sockets.listen(new InetSocketAddress(at, 0), false, false, 16));
    }

    /// Waits (bounded) until `fd` reports one of `mask`; level-triggered, so no event is lost.
    private int await(int fd, int mask) throws NativeException {
        epoll.add(fd, mask, fd);
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                int n = epoll.await(1000);
                for (int i = 0; i < n; i++) {
                    if (epoll.data(i) == fd && (epoll.events(i) & mask) != 0) {
                        return epoll.events(i);
                    }
                }
            }
            throw new AssertionError("fd " + fd + " never reported " + mask);
        } finally {
            epoll.remove(fd);
        }
    }

    /// A connected pair: the client's and the accepted descriptor.
    private int[] pair(InetAddress at) throws NativeException {
        int l = listener(at);
        var where = sockets.localAddress(l);
        int c = track(sockets.connect(where));
        if (!sockets.connected()) {
            await(c, Epoll.OUT);
            assertThat(sockets.socketError(c)).isZero();
        }
        await(l, Epoll.IN);
        int a = track(sockets.accept(l));
        assertThat(a).isNotNegative();
        return new int[] {c, a};
    }

    private static NativeBuffer bytes(String s) {
        var b = NativeBuffer.allocate(4096);
        b.put(s.getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    private String receive(int fd, int count) throws NativeException {
        var b = NativeBuffer.allocate(4096);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (b.remaining() < count && System.nanoTime() < deadline) {
            int n = sockets.recv(fd, b);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                await(fd, Epoll.IN);
            }
        }
        return new String(b.take(), StandardCharsets.US_ASCII);
    }

    @Test
    void acceptReportsBothAddressesAndInheritsNoDelay() throws Exception {
        int l = listener(LOOPBACK);
        assertThat(sockets.accept(l)).as("nothing queued: EAGAIN is -1").isEqualTo(-1);
        var pair = pair(LOOPBACK);
        int c = pair[0];
        int a = pair[1];
        assertThat(sockets.acceptedPeer()).isEqualTo(sockets.localAddress(c));
        var listening = sockets.localAddress(l);
        assertThat(listening.getAddress()).isEqualTo(LOOPBACK);
        assertThat(sockets.localAddress(a).getAddress()).isEqualTo(LOOPBACK);
        assertThat(sockets.noDelay(a)).as("TCP_NODELAY inherited from the listening socket").isTrue();
        assertThat(sockets.noDelay(c)).isTrue();
    }

    @Test
    void bytesFlowBothWaysAndAHalfCloseLetsTheOtherDirectionContinue() throws Exception {
        var pair = pair(LOOPBACK);
        int c = pair[0];
        int a = pair[1];
        var empty = NativeBuffer.allocate(64);
        assertThat(sockets.recv(a, empty)).as("nothing received yet: EAGAIN is -1").isEqualTo(-1);
        var hello = bytes("hello");
        assertThat(sockets.send(c, hello, false)).isEqualTo(5);
        assertThat(hello.isEmpty()).isTrue();
        sockets.shutdownOutput(c);
        assertThat(receive(a, 5)).isEqualTo("hello");
        var end = NativeBuffer.allocate(64);
        await(a, Epoll.RDHUP);
        assertThat(sockets.recv(a, end)).as("end of stream after the half-close").isZero();
        // The half-closed client still receives; the last bytes leave with MSG_MORE and the FIN.
        sockets.send(a, bytes("bye"), true);
        sockets.shutdownOutput(a);
        assertThat(receive(c, 3)).isEqualTo("bye");
        assertThat(sockets.recv(c, NativeBuffer.allocate(64))).isZero();
    }

    @Test
    void aFullBufferRecvsNothingAndAFullSendQueueReturnsMinusOne() throws Exception {
        var pair = pair(LOOPBACK);
        int c = pair[0];
        var full = NativeBuffer.allocate(4);
        full.put(new byte[4]);
        assertThat(sockets.recv(pair[1], full)).isEqualTo(-1);
        // The peer reads nothing: the send queue and its receive queue fill, then EAGAIN.
        var chunk = NativeBuffer.allocate(65536);
        long sent = 0;
        int last = 0;
        for (int i = 0; i < 10_000 && last >= 0; i++) {
            chunk.clear();
            chunk.put(new byte[65536]);
            last = sockets.send(c, chunk, false);
            sent += Math.max(0, last);
        }
        assertThat(last).as("send on a full queue").isEqualTo(-1);
        assertThat(sent).isPositive();
    }

    @Test
    void aResetIsAnExceptionNamingTheCallAndTheError() throws Exception {
        var pair = pair(LOOPBACK);
        int c = pair[0];
        int a = pair[1];
        sockets.setLingerZero(a);
        sockets.close(a);
        open.remove(Integer.valueOf(a));
        await(c, Epoll.IN | Epoll.ERR | Epoll.HUP);
        assertThatThrownBy(() -> sockets.recv(c, NativeBuffer.allocate(64)))
                .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.is(Errno.ECONNRESET)).isTrue())
                .hasMessage("ECONNRESET: recv(fd " + c + "): Connection reset by peer");
        assertThatThrownBy(() -> sockets.send(c, bytes("x"), false))
                .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.errno()).isIn(Errno.EPIPE, Errno.ECONNRESET))
                .hasMessageContaining("send(fd " + c + ")");
    }

    @Test
    void aRefusedConnectIsReportedAtOnceOrThroughSoError() throws Exception {
        int port;
        try (var probe = new ServerSocket(0, 1, LOOPBACK)) {
            port = probe.getLocalPort();
        }
        var to = new InetSocketAddress(LOOPBACK, port);
        try {
            int c = track(sockets.connect(to));
            if (!sockets.connected()) {
                int ev = await(c, Epoll.OUT | Epoll.ERR);
                assertThat(ev & Epoll.ERR).isNotZero();
                assertThat(sockets.socketError(c)).isEqualTo(Errno.ECONNREFUSED);
            }
        } catch (NativeException e) {
            assertThat(e.is(Errno.ECONNREFUSED)).isTrue();
            assertThat(e).hasMessageStartingWith("ECONNREFUSED: connect(fd ").hasMessageContaining(" to 127.0.0.1:" + port);
        }
    }

    @Test
    void aTakenPortIsRefusedUnlessBothShareItWithReusePort() throws Exception {
        int first = listener(LOOPBACK);
        var at = sockets.localAddress(first);
        assertThatThrownBy(() -> sockets.listen(at, false, false, 16))
                .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.is(Errno.EADDRINUSE)).isTrue())
                .hasMessage("EADDRINUSE: bind(127.0.0.1:" + at.getPort() + "): Address already in use");
        int a = track(sockets.listen(new InetSocketAddress(LOOPBACK, 0), true, false, 16));
        var shared = sockets.localAddress(a);
        track(sockets.listen(shared, true, false, 16));
    }

    @Test
    void freeBindListensOnAnAddressTheHostDoesNotHave() throws Exception {
        var absent = new InetSocketAddress(InetAddress.getByName("203.0.113.77"), 0);
        assertThatThrownBy(() -> sockets.listen(absent, false, false, 16))
                .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.is(Errno.EADDRNOTAVAIL)).isTrue())
                .hasMessageStartingWith("EADDRNOTAVAIL: bind(203.0.113.77:0)");
        int fd = track(sockets.listen(absent, false, true, 16));
        assertThat(sockets.localAddress(fd).getAddress()).isEqualTo(absent.getAddress());
    }

    @Test
    void ipv6AndIpv4MappedAddressesDecode() throws Exception {
        var v6 = InetAddress.getByName("::1");
        var pair = pair(v6);
        assertThat(sockets.acceptedPeer().getAddress()).isEqualTo(v6);
        assertThat(sockets.localAddress(pair[1]).getAddress()).isEqualTo(v6);
        // An IPv4 client of an IPv6 wildcard socket is reported as IPv4, as the JDK does.
        int l = listener(InetAddress.getByName("::"));
        int port = sockets.localAddress(l).getPort();
        int c = track(sockets.connect(new InetSocketAddress(LOOPBACK, port)));
        await(l, Epoll.IN);
        int a = track(sockets.accept(l));
        assertThat(sockets.acceptedPeer().getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(LOOPBACK);
        assertThat(sockets.localAddress(a)).isEqualTo(new InetSocketAddress(LOOPBACK, port));
        assertThat(c).isNotNegative();
    }

    /// The scope id is the one field of a socket address in the host's byte order: a link-local
    /// address bound on interface 1 (`lo`, with IPV6_FREEBIND since it has no such address) must
    /// come back with that scope and port.
    @Test
    void aScopedIpv6AddressKeepsItsScopeThroughBindAndGetsockname() throws Exception {
        var linkLocal = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 1);
        int fd = track(sockets.listen(new InetSocketAddress(linkLocal, 0), false, true, 16));
        var local = sockets.localAddress(fd);
        assertThat(local.getAddress()).isEqualTo(linkLocal);
        assertThat(((Inet6Address) local.getAddress()).getScopeId()).isEqualTo(1);
        assertThat(local.getPort()).isPositive();
    }

    @Test
    void callsOnABadDescriptorSayWhichCallAndDescriptor() {
        assertThatThrownBy(() -> sockets.localAddress(1_000_000))
                .isInstanceOf(NativeException.class)
                .hasMessage("EBADF: getsockname(fd 1000000): Bad file descriptor");
        assertThatThrownBy(() -> sockets.shutdownOutput(1_000_000))
                .hasMessage("EBADF: shutdown(fd 1000000, SHUT_WR): Bad file descriptor");
        assertThatThrownBy(() -> sockets.accept(1_000_000))
                .hasMessage("EBADF: accept4(listening fd 1000000): Bad file descriptor");
    }

    @Test
    void aNonLinuxHostIsToldWhyNot() throws IOException {
        var os = System.getProperty("os.name");
        try {
            System.setProperty("os.name", "Windows 11");
            assertThatThrownBy(TcpSockets::open).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("native TCP sockets need Linux, not Windows 11");
        } finally {
            System.setProperty("os.name", os);
        }
    }
}
