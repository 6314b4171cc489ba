package dev.pharos.testing;

import dev.pharos.agent.linux.RawIpSocket;
import dev.pharos.agent.vrrp.AuthType;
import dev.pharos.agent.vrrp.VrrpPacket;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/// A hostile VRRP peer for robustness tests, run as its own process inside a test namespace:
/// `VrrpFlooder IFNAME SOURCE RATE SECONDS [PATTERN]` sends RATE datagrams per second for SECONDS
/// to 224.0.0.18 and stops by itself. The victim is VRRPv2 instance VRID 51 with `auth_pass flood`
/// and VIP 192.0.2.100; PATTERN (default `mix`) is one of:
///
/// - `mix`: in turn random garbage, truncated adverts, 255-address adverts, adverts with a bad
///   checksum and well-formed lower-priority adverts (the first five below, but the bad checksum
///   on a lower-priority advert);
/// - `garbage`: 0–119 random bytes;
/// - `truncated`: the first 9 bytes of an advert;
/// - `addresses255`: adverts of another VRID (99, priority 200) carrying 255 addresses;
/// - `low-priority`: valid adverts of VRID 51 with priority 50 — a master must not yield to them;
/// - the adverts of VRID 51 with priority 254 that a master would yield to, but for one defect each
///   that the receiver must check: `bad-checksum`, `bad-auth` (wrong password), `wrong-vrid`
///   (VRID 52), `wrong-ttl` (TTL 64, not 255), `wrong-version` (VRRPv3), `wrong-interval`
///   (`advert_int` 3 s instead of 1 s);
/// - `forged-high`: the same advert without a defect. The protocol cannot tell it from a real
///   router with a higher priority (the password travels in clear): every master yields to it.
///   A reference that the measurement sees a takeover when there is one.
public final class VrrpFlooder {

    /// The patterns, in the order a bench runs them.
    public static final List<String> PATTERNS = List.of("mix", "garbage", "truncated", "addresses255",
            "low-priority", "bad-checksum", "bad-auth", "wrong-vrid", "wrong-ttl", "wrong-version", "wrong-interval",
            "forged-high");

    private static final int VRID = 51;
    private static final String PASSWORD = "flood";

    private VrrpFlooder() {
    }

    public static void main(String[] args) throws Exception {
        var ifname = args[0];
        var source = (Inet4Address) InetAddress.getByName(args[1]);
        int rate = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        var pattern = args.length > 4 ? args[4] : "mix";
        if (!PATTERNS.contains(pattern)) {
            throw new IllegalArgumentException("pattern " + pattern + ": use one of " + String.join(", ", PATTERNS));
        }
        var rnd = new SplittableRandom(42);
        var group = VrrpTransport.MULTICAST_GROUP;
        var vip = List.of((Inet4Address) InetAddress.getByName("192.0.2.100"));
        var many = new ArrayList<Inet4Address>();
        for (int i = 0; i < 255; i++) {
            many.add((Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) i}));
        }
        var second = Duration.ofSeconds(1);
        var lowPriority = VrrpPacket.v2(VRID, 50, second, AuthType.PASS, PASSWORD, vip).encode(source, group);
        var high = VrrpPacket.v2(VRID, 254, second, AuthType.PASS, PASSWORD, vip).encode(source, group);
        var hugeList = VrrpPacket.v2(99, 200, second, AuthType.NONE, "", many).encode(source, group);
        var truncated = Arrays.copyOf(lowPriority, 9);
        byte[] fixed = switch (pattern) {
            case "addresses255" -> hugeList;
            case "truncated" -> truncated;
            case "low-priority" -> lowPriority;
            case "bad-checksum" -> {
                var b = high.clone();
                b[6] ^= 0x5a;
                yield b;
            }
            case "bad-auth" -> VrrpPacket.v2(VRID, 254, second, AuthType.PASS, "notflood", vip).encode(source, group);
            case "wrong-vrid" -> VrrpPacket.v2(VRID + 1, 254, second, AuthType.PASS, PASSWORD, vip).encode(source, group);
            case "wrong-version" -> VrrpPacket.v3(VRID, 254, second, vip).encode(source, group);
            case "wrong-interval" -> VrrpPacket.v2(VRID, 254, Duration.ofSeconds(3), AuthType.PASS, PASSWORD, vip)
                    .encode(source, group);
            case "wrong-ttl", "forged-high" -> high;
            default -> null;   // mix and garbage vary per datagram
        };
        var mixBadChecksum = lowPriority.clone();
        mixBadChecksum[6] ^= 0x5a;
        long sent = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        try (var socket = RawIpSocket.open(112, ifname, null, null)) {
            if (pattern.equals("wrong-ttl")) {
                socket.setTtl(64);
            }
            while (System.nanoTime() < end) {
                byte[] payload;
                if (fixed != null) {
                    payload = fixed;
                } else if (pattern.equals("garbage") || sent % 5 == 0) {
                    payload = new byte[rnd.nextInt(0, 120)];
                    rnd.nextBytes(payload);
                } else {
                    payload = switch ((int) (sent % 5)) {
                        case 1 -> truncated;
                        case 2 -> hugeList;
                        case 3 -> mixBadChecksum;
                        default -> lowPriority;
                    };
                }
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
        System.out.println("sent " + sent + " (" + pattern + ")");
    }
}
