package dev.pharos.agent.ipvs.proxy.schedulers;

import java.net.InetAddress;
import java.util.List;

/// The address folding and hash functions the hashing schedulers share.
final class AddressHash {

    /// The kernel's `GOLDEN_RATIO_32` of `hash_32()`.
    private static final int GOLDEN_RATIO_32 = 0x61C88647;

    private AddressHash() {
    }

    /// An IPv4 address as its host-order value; an IPv6 address folded to 32 bits by XOR of its
    /// four words, as `ip_vs_sh_hashkey` does.
    static int fold(InetAddress address) {
        var b = address.getAddress();
        var folded = 0;
        for (int i = 0; i + 3 < b.length; i += 4) {
            folded ^= (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
        }
        return folded;
    }

    /// The kernel's `hash_32(value, bits)`: multiply by the golden ratio, keep the top bits.
    static int hash32(int value, int bits) {
        return (value * GOLDEN_RATIO_32) >>> (32 - bits);
    }

    /// A 64-bit keyed mix of (address, port, offset) for Maglev: the SplitMix64 finaliser over the
    /// fields and a fixed key. Fixed keys keep every director's table identical, as the kernel's
    /// constant `hsiphash` keys do.
    static long mix(long key, int folded, int port, int offset) {
        var z = key ^ ((folded & 0xffffffffL) << 32 | (port & 0xffffL) << 16) ^ ((long) offset * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /// Which table position a flow's `offset`-th probe lands on.
    @FunctionalInterface
    interface Slot {
        int of(int folded, int port, int offset);
    }

    /// The lookup `sh` and `mh` share: the destination at the flow's home position; if that one is
    /// unavailable and `fallback` is set (`sh-fallback`/`mh-fallback`), the first available one
    /// along the flow's probe sequence, as the kernel walks it; -1 when there is none.
    static int lookup(int[] table, int size, List<? extends Candidate> destinations, int folded, int port,
            boolean fallback, Slot slot) {
        var home = slot.of(folded, port, 0);
        var d = table[home];
        if (d < 0) {
            return -1;
        }
        if (!Scheduler.unavailable(destinations.get(d))) {
            return d;
        }
        if (!fallback) {
            return -1;
        }
        for (int offset = 0; offset < size; offset++) {
            var next = table[slot.of(folded, port, (offset + home) % size)];
            if (next < 0) {
                break;
            }
            if (!Scheduler.unavailable(destinations.get(next))) {
                return next;
            }
        }
        return -1;
    }
}
