package dev.pharos.agent.vrrp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/// How one VRRP instance reaches its segment: `agent.linux` implements it with a raw
/// `IPPROTO_VRRP` socket (TTL or hop limit 255, multicast 224.0.0.18 or ff02::12, or unicast peers), `agent.sim` with an
/// in-memory bus. The engine opens one transport per instance (see [Factory]).
public interface VrrpTransport extends AutoCloseable {

    /// The multicast group of VRRP over IPv4 (RFC 5798 §5.1.1.2).
    Inet4Address MULTICAST_GROUP = Ipv4Header.address(new byte[] {(byte) 224, 0, 0, 18}, 0);

    /// The multicast group of VRRP over IPv6, link-local scope (RFC 5798 §5.1.2.2).
    Inet6Address MULTICAST_GROUP_V6 = Ipv6Header.address(
            new byte[] {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12}, 0);

    /// The group an instance of this family sends to when it has no unicast peers.
    static InetAddress multicastGroup(boolean ipv6) {
        return ipv6 ? MULTICAST_GROUP_V6 : MULTICAST_GROUP;
    }

    /// Receives whole IP datagrams (header included, so TTL or hop limit and source are there;
    /// for IPv6 the transport rebuilds the fixed header the kernel keeps to itself), called
    /// from the transport's own receive thread; it must not block, and it copies nothing:
    /// the array is the receiver's from then on. `receivedNanos` is [System#nanoTime()] when the
    /// datagram arrived: the engine counts the timers an advert resets from then, not from when
    /// its thread got to it (bench/failover: that hand-off was 0.3–0.6 ms of every takeover).
    @FunctionalInterface
    interface Receiver {
        void datagram(byte[] datagram, int length, long receivedNanos);
    }

    /// Opens a transport for an instance (its interface, `unicast_src_ip`, peers).
    @FunctionalInterface
    interface Factory {
        VrrpTransport open(VrrpSettings settings) throws IOException;
    }

    /// Starts delivering received datagrams to `receiver`.
    void start(Receiver receiver) throws IOException;

    /// The address adverts are sent from: the Primary_IP_Address of RFC 5798 §6.1, for IPv6 the
    /// interface's link-local address (without a scope: the interface is the instance's).
    InetAddress sourceAddress();

    /// Sends one VRRP payload (no IP header) to `destination` (the multicast group or one
    /// unicast peer) with IP protocol 112 and TTL or hop limit 255. Must not block for long.
    void send(InetAddress destination, byte[] vrrpPayload) throws IOException;

    /// Stops receiving and releases the socket; idempotent.
    @Override
    void close();
}
