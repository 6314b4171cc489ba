package dev.pharos.testing;

import dev.pharos.agent.linux.RawIpSocket;
import dev.pharos.agent.vrrp.AuthType;
import dev.pharos.agent.vrrp.VrrpPacket;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.SplittableRandom;

/// A hostile VRRP peer for robustness tests, run as its own process inside a test namespace:
/// `VrrpFlooder IFNAME SOURCE RATE SECONDS` sends, at RATE datagrams per second for SECONDS, a mix
/// of random garbage, truncated adverts, adverts with 255 addresses (another VRID), adverts with a
/// bad checksum, and well-formed lower-priority adverts of VRID 51 — to 224.0.0.18. It stops by itself.
public final class VrrpFlooder {

    private VrrpFlooder() {
    }

    public static void main(String[] args) throws Exception {
        var ifname = args[0];
        var source = (Inet4Address) InetAddress.getByName(args[1]);
        int rate = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        var rnd = new SplittableRandom(42);
        var group = VrrpTransport.MULTICAST_GROUP;
        var vip = (Inet4Address) InetAddress.getByName("192.0.2.100");
        var many = new ArrayList<Inet4Address>();
        for (int i = 0; i < 255; i++) {
            many.add((Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) i}));
        }
        var lowPriority = VrrpPacket.v2(51, 50, Duration.ofSeconds(1), AuthType.PASS, "flood", java.util.List.of(vip))
                .encode(source, group);
        var hugeList = VrrpPacket.v2(99, 200, Duration.ofSeconds(1), AuthType.NONE, "", many).encode(source, group);
        var badChecksum = lowPriority.clone();
        badChecksum[6] ^= 0x5a;
        var truncated = java.util.Arrays.copyOf(lowPriority, 9);
        long sent = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        try (var socket = RawIpSocket.open(112, ifname, null, null)) {
            while (System.nanoTime() < end) {
                byte[] payload = switch ((int) (sent % 5)) {
                    case 0 -> {
                        var g = new byte[rnd.nextInt(0, 120)];
                        rnd.nextBytes(g);
                        yield g;
                    }
                    case 1 -> truncated;
                    case 2 -> hugeList;
                    case 3 -> badChecksum;
                    default -> lowPriority;
                };
                try {
                    socket.send(group, payload);
                } catch (java.io.IOException e) {
                    // ENOBUFS under load: keep flooding
                }
                sent++;
                long due = start + sent * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
        }
        System.out.println("sent " + sent);
    }
}
