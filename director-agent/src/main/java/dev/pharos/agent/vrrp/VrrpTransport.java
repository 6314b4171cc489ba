package dev.pharos.agent.vrrp;

import java.io.IOException;
import java.net.Inet4Address;

/// How one VRRP instance reaches its segment: `agent.linux` implements it with a raw
/// `IPPROTO_VRRP` socket (TTL 255, multicast 224.0.0.18 or unicast peers), `agent.sim` with an
/// in-memory bus. The engine opens one transport per instance (see [Factory]).
public interface VrrpTransport extends AutoCloseable {

    /// The multicast group of VRRP over IPv4 (RFC 5798 §5.1.1.2).
    Inet4Address MULTICAST_GROUP = Ipv4Header.address(new byte[] {(byte) 224, 0, 0, 18}, 0);

    /// Receives whole IPv4 datagrams (header included, so TTL and source are there), called
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

    /// The address adverts are sent from: the Primary_IP_Address of RFC 5798 §6.1.
    Inet4Address sourceAddress();

    /// Sends one VRRP payload (no IP header) to `destination` (the multicast group or one
    /// unicast peer) with IP protocol 112 and TTL 255. Must not block for long.
    void send(Inet4Address destination, byte[] vrrpPayload) throws IOException;

    /// Stops receiving and releases the socket; idempotent.
    @Override
    void close();
}
