package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/// The epoll wrapper: wake-ups from another thread, edge- and level-triggered reporting, the
/// caller's data word, interest changes, and errors naming the operation and descriptor.
@Timeout(60)
class EpollTest {

    private TcpSockets sockets;
    private Epoll epoll;
    private final List<Integer> open = new ArrayList<>();

    @BeforeEach
    void open() throws NativeException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        sockets = TcpSockets.open();
        epoll = Epoll.open(8);
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

    /// A connected loopback pair: the client's and the accepted descriptor.
    private int[] pair() throws Exception {
        int l = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false, false, 4);
        open.add(l);
        int c = sockets.connect(sockets.localAddress(l));
        open.add(c);
        try (var w = Epoll.open(1)) {
            w.add(l, Epoll.IN, 0);
            assertThat(w.await(10_000)).as("the connection is queued").isEqualTo(1);
        }
        int a = sockets.accept(l);
        assertThat(a).isNotNegative();
        open.add(a);
        return new int[] {c, a};
    }

    /// The events of `data` in one wait of up to `millis`, 0 when it did not report.
    private int eventsOf(long data, int millis) throws NativeException {
        int n = epoll.await(millis);
        int found = 0;
        for (int i = 0; i < n; i++) {
            if (epoll.data(i) == data) {
                found |= epoll.events(i);
            }
        }
        return found;
    }

    @Test
    void aWakeupFromAnotherThreadEndsAWaitWithoutLimitAndCoalesces() throws Exception {
        var waker = Thread.ofPlatform().start(() -> {
            epoll.wakeup();
            epoll.wakeup();
        });
        assertThat(eventsOf(Epoll.WAKEUP, -1)).isEqualTo(Epoll.IN);
        waker.join();
        // Both wake-ups were consumed by that one wait (or the second arrives now, once).
        int again = eventsOf(Epoll.WAKEUP, 0);
        assertThat(again == 0 || again == Epoll.IN).isTrue();
        assertThat(epoll.await(0)).isZero();
    }

    @Test
    void edgeTriggeredReportsNewDataOnceAndLevelTriggeredUntilRead() throws Exception {
        var p = pair();
        long data = (7L << 32) | p[1];
        epoll.add(p[1], Epoll.IN | Epoll.RDHUP | Epoll.EDGE, data);
        assertThat(epoll.await(0)).as("nothing to read yet").isZero();
        var b = NativeBuffer.allocate(64);
        b.put(new byte[] {1, 2, 3});
        sockets.send(p[0], b, false);
        assertThat(eventsOf(data, 5000) & Epoll.IN).isNotZero();
        assertThat(eventsOf(data, 0)).as("edge-triggered: unread data is not reported again").isZero();
        b.put(new byte[] {4});
        sockets.send(p[0], b, false);
        assertThat(eventsOf(data, 5000) & Epoll.IN).as("new data is a new edge").isNotZero();

        epoll.modify(p[1], Epoll.IN, data);
        assertThat(eventsOf(data, 0) & Epoll.IN).as("level-triggered: still unread").isNotZero();
        assertThat(eventsOf(data, 0) & Epoll.IN).isNotZero();
        epoll.modify(p[1], 0, data);
        assertThat(eventsOf(data, 0)).as("no interest").isZero();
        epoll.modify(p[1], Epoll.IN, data);
        epoll.remove(p[1]);
        assertThat(eventsOf(data, 0)).as("removed").isZero();
    }

    @Test
    void theFinOfThePeerIsReportedAsRdhup() throws Exception {
        var p = pair();
        epoll.add(p[1], Epoll.IN | Epoll.RDHUP | Epoll.EDGE, p[1]);
        sockets.shutdownOutput(p[0]);
        assertThat(eventsOf(p[1], 5000) & Epoll.RDHUP).isNotZero();
    }

    @Test
    void aClosedDescriptorLeavesTheSet() throws Exception {
        var p = pair();
        epoll.add(p[1], Epoll.IN, p[1]);
        sockets.close(p[1]);
        open.remove(Integer.valueOf(p[1]));
        var b = NativeBuffer.allocate(8);
        b.put(new byte[] {1});
        sockets.send(p[0], b, false);
        assertThat(eventsOf(p[1], 100)).isZero();
    }

    @Test
    void errorsNameTheOperationAndTheDescriptor() throws Exception {
        assertThatThrownBy(() -> epoll.add(1_000_000, Epoll.IN, 0))
                .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue())
                .hasMessage("EBADF: epoll_ctl(EPOLL_CTL_ADD, fd 1000000): Bad file descriptor");
        var p = pair();
        epoll.add(p[1], Epoll.IN, 1);
        assertThatThrownBy(() -> epoll.add(p[1], Epoll.IN, 1))
                .hasMessage("EEXIST: epoll_ctl(EPOLL_CTL_ADD, fd " + p[1] + "): File exists");
        assertThatThrownBy(() -> epoll.modify(p[0], Epoll.IN, 1))
                .hasMessage("ENOENT: epoll_ctl(EPOLL_CTL_MOD, fd " + p[0] + "): No such file or directory");
        assertThatThrownBy(() -> Epoll.open(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWakeupAfterCloseIsHarmless() throws Exception {
        var other = Epoll.open(1);
        other.close();
        other.wakeup();
        other.close();
        assertThat(epoll.await(0)).isZero();
    }
}
