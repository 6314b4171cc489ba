package dev.pharos.agent.daemon;

import dev.pharos.agent.linux.Errno;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.RawIpSocket;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashSet;

/// VRRP over a raw IPv4 socket (protocol 112) on the instance's interface: multicast to
/// 224.0.0.18 or unicast to `unicast_peer`s. Its receive loop is a platform thread (a native call
/// would pin a virtual one) that waits in `poll` and hands each datagram to the engine's inbox.
final class LinuxVrrpTransport implements VrrpTransport {

    private static final System.Logger LOG = System.getLogger(LinuxVrrpTransport.class.getName());
    private static final int IPPROTO_VRRP = 112;

    private final String instance;
    private final RawIpSocket socket;
    private final Inet4Address source;
    private final Runnable threadStart;
    private volatile boolean closed;
    private Thread receiver;

    private LinuxVrrpTransport(String instance, RawIpSocket socket, Inet4Address source, Runnable threadStart) {
        this.instance = instance;
        this.socket = socket;
        this.source = source;
        this.threadStart = threadStart;
    }

    /// @param threadStart run first on the receive loop's thread ([Platform#vrrpProcess])
    static LinuxVrrpTransport open(VrrpSettings s, Runnable threadStart) throws IOException {
        var source = s.unicastSource() != null ? s.unicastSource() : primaryAddress(s);
        var group = s.unicastPeers().isEmpty() ? VrrpTransport.MULTICAST_GROUP : null;
        var socket = RawIpSocket.open(IPPROTO_VRRP, s.interfaceName(), group, s.unicastSource());
        socket.warmUp();
        return new LinuxVrrpTransport(s.name(), socket, source, threadStart);
    }

    /// The interface's first IPv4 address that is not one of the instance's VIPs (RFC 5798 §6.1
    /// Primary_IP_Address); a VIP left on the interface by a crash must not become our source.
    private static Inet4Address primaryAddress(VrrpSettings s) throws IOException {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(s.interfaceName());
        } catch (SocketException e) {
            nif = null;
        }
        if (nif == null) {
            throw new NativeException("(" + s.name() + ") interface " + s.interfaceName(), Errno.ENODEV,
                    "there is no interface " + s.interfaceName());
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
                    if (d.isPresent()) {
                        var datagram = d.get();
                        receiverCallback.datagram(datagram.datagram(), datagram.datagram().length,
                                datagram.receivedNanos());
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
    public Inet4Address sourceAddress() {
        return source;
    }

    @Override
    public void send(Inet4Address destination, byte[] vrrpPayload) throws IOException {
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
