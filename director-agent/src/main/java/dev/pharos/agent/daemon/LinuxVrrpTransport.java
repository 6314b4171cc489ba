package dev.pharos.agent.daemon;

import dev.pharos.agent.linux.Errno;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.RawIpSocket;
import dev.pharos.agent.linux.RawIpv6Socket;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;

/// VRRP over a raw IPv4 or IPv6 socket (protocol 112) on the instance's interface: multicast to
/// 224.0.0.18 or ff02::12, or unicast to `unicast_peer`s. Its receive loop is a platform thread (a native call
/// would pin a virtual one) that waits in `poll` and hands each datagram to the engine's inbox.
final class LinuxVrrpTransport implements VrrpTransport {

    private static final System.Logger LOG = System.getLogger(LinuxVrrpTransport.class.getName());
    private static final int IPPROTO_VRRP = 112;

    private final String instance;
    private final Socket socket;
    private final InetAddress source;
    private final Runnable threadStart;
    private volatile boolean closed;
    private Thread receiver;

    /// The socket of one family: what the receive loop and [#send] need of it.
    private sealed interface Socket permits V4, V6 {
        void send(InetAddress destination, byte[] payload) throws NativeException;

        /// The next datagram, header first, as the engine's receiver takes it; null on timeout.
        Received receive(Duration timeout) throws NativeException;

        void close();
    }

    private record Received(byte[] datagram, long receivedNanos) {
    }

    private record V4(RawIpSocket raw) implements Socket {
        @Override
        public void send(InetAddress destination, byte[] payload) throws NativeException {
            raw.send((Inet4Address) destination, payload);
        }

        @Override
        public Received receive(Duration timeout) throws NativeException {
            return raw.receive(timeout).map(d -> new Received(d.datagram(), d.receivedNanos())).orElse(null);
        }

        @Override
        public void close() {
            raw.close();
        }
    }

    private record V6(RawIpv6Socket raw) implements Socket {
        @Override
        public void send(InetAddress destination, byte[] payload) throws NativeException {
            raw.send((Inet6Address) destination, payload);
        }

        @Override
        public Received receive(Duration timeout) throws NativeException {
            return raw.receive(timeout).map(d -> new Received(d.datagram(), d.receivedNanos())).orElse(null);
        }

        @Override
        public void close() {
            raw.close();
        }
    }

    private LinuxVrrpTransport(String instance, Socket socket, InetAddress source, Runnable threadStart) {
        this.instance = instance;
        this.socket = socket;
        this.source = source;
        this.threadStart = threadStart;
    }

    /// @param threadStart run first on the receive loop's thread ([Platform#vrrpProcess])
    static LinuxVrrpTransport open(VrrpSettings s, Runnable threadStart) throws IOException {
        var source = s.unicastSource() != null ? s.unicastSource() : primaryAddress(s);
        boolean multicast = s.unicastPeers().isEmpty();
        if (s.ipv6()) {
            // RFC 5798 §5.1.2.2: group ff02::12; §5.1.2.1: the source is the link-local address,
            // which the kernel chooses for a link-local destination (keepalived passes it in
            // IPV6_PKTINFO). A unicast_src_ip is bound, as for IPv4.
            var raw = RawIpv6Socket.open(IPPROTO_VRRP, s.interfaceName(),
                    multicast ? VrrpTransport.MULTICAST_GROUP_V6 : null, (Inet6Address) s.unicastSource());
            return new LinuxVrrpTransport(s.name(), new V6(raw), source, threadStart);
        }
        var raw = RawIpSocket.open(IPPROTO_VRRP, s.interfaceName(), multicast ? VrrpTransport.MULTICAST_GROUP : null,
                (Inet4Address) s.unicastSource());
        raw.warmUp();
        return new LinuxVrrpTransport(s.name(), new V4(raw), source, threadStart);
    }

    /// The interface's first IPv4 address that is not one of the instance's VIPs (RFC 5798 §6.1
    /// Primary_IP_Address); a VIP left on the interface by a crash must not become our source.
    /// IPv6: the interface's link-local address (§5.1.2.1), without its scope.
    private static InetAddress primaryAddress(VrrpSettings s) throws IOException {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(s.interfaceName());
        } catch (SocketException e) {
            nif = null;
        }
        if (nif == null) {
            // The JDK lists only interfaces with an address: one that exists without any is not "missing".
            if (Files.isDirectory(Path.of("/sys/class/net", s.interfaceName()))) {
                throw new IOException("(" + s.name() + ") interface " + s.interfaceName() + " has no address yet ("
                        + (s.ipv6() ? "no IPv6 link-local address: is it down, or IPv6 disabled on it?"
                                : "no IPv4 address; give it one or set unicast_src_ip")
                        + "); keepalived would start the instance in FAULT until it has one, Pharos does not yet:"
                        + " start the agent once the interface has its address");
            }
            throw new NativeException("(" + s.name() + ") interface " + s.interfaceName(), Errno.ENODEV,
                    "there is no interface " + s.interfaceName());
        }
        if (s.ipv6()) {
            for (var ia : nif.getInterfaceAddresses()) {
                if (ia.getAddress() instanceof Inet6Address a && a.isLinkLocalAddress()) {
                    return InetAddress.getByAddress(a.getAddress());
                }
            }
            throw new IOException("(" + s.name() + ") interface " + s.interfaceName()
                    + " has no IPv6 link-local address to send adverts from; is IPv6 disabled on it?");
        }
        var vips = new HashSet<>(s.advertisedAddresses());
        Inet4Address found = null;
        for (var ia : nif.getInterfaceAddresses()) {
            if (ia.getAddress() instanceof Inet4Address a && !vips.contains(a)) {
                found = a;
            }
        }
        if (found == null) {
            throw new IOException("(" + s.name() + ") interface " + s.interfaceName()
                    + " has no IPv4 address to send adverts from; give it one or set unicast_src_ip");
        }
        return found;
    }

    @Override
    public void start(Receiver receiverCallback) {
        receiver = Thread.ofPlatform().name("vrrp-rx-" + instance).daemon().start(() -> {
            threadStart.run();
            while (!closed) {
                try {
                    var d = socket.receive(Duration.ofSeconds(1));
                    if (d != null) {
                        receiverCallback.datagram(d.datagram(), d.datagram().length, d.receivedNanos());
                    }
                } catch (NativeException e) {
                    if (closed) {
                        return;
                    }
                    LOG.log(System.Logger.Level.WARNING, "({0}) receive failed: {1}", instance, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "(" + instance + ") receive loop error; continuing", e);
                }
            }
        });
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public void send(InetAddress destination, byte[] vrrpPayload) throws IOException {
        socket.send(destination, vrrpPayload);
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
