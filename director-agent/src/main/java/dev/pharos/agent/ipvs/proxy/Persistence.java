package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.api.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/// keepalived's `persistence_timeout` and `persistence_granularity`: a client, its address masked
/// to `prefixLength` bits, keeps reaching the same real server while it has connections there or
/// for `timeout` after its last connection started or ended.
///
/// @param timeout      [Duration#ZERO] for no persistence
/// @param prefixLength how many leading bits of the client's address identify it (32 for IPv4
///                     means one client per address; 24 puts a /24 together); longer than the
///                     address means the whole address
public record Persistence(Duration timeout, int prefixLength) {

    /// No persistence: every connection is scheduled.
    public static final Persistence NONE = new Persistence(Duration.ZERO, 128);

    public Persistence {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("persistence timeout " + timeout + " is negative");
        }
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("persistence prefix length " + prefixLength + " is outside 0–128");
        }
    }

    /// Persistence per client address (netmask 255.255.255.255).
    public static Persistence of(Duration timeout) {
        return new Persistence(timeout, 128);
    }

    /// Persistence with keepalived's netmask form of the granularity, e.g. `255.255.255.0`.
    ///
    /// @throws IllegalArgumentException when the netmask's one-bits are not contiguous
    public static Persistence of(Duration timeout, InetAddress netmask) {
        var bytes = netmask.getAddress();
        var prefix = 0;
        var ended = false;
        for (var b : bytes) {
            for (int bit = 7; bit >= 0; bit--) {
                var one = (b >> bit & 1) == 1;
                if (one && ended) {
                    throw new IllegalArgumentException("persistence_granularity " + Addresses.text(netmask)
                            + " is not a netmask: its one-bits must be contiguous from the left");
                }
                if (one) {
                    prefix++;
                } else {
                    ended = true;
                }
            }
        }
        return new Persistence(timeout, prefix == bytes.length * 8 ? 128 : prefix);
    }

    public boolean enabled() {
        return timeout.isPositive();
    }

    /// The client's address with the bits beyond the prefix cleared: the persistence key.
    public InetAddress mask(InetAddress client) {
        var bytes = client.getAddress();
        var bits = bytes.length * 8;
        if (prefixLength >= bits) {
            return client;
        }
        for (int i = 0; i < bytes.length; i++) {
            var keep = Math.clamp(prefixLength - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes was refused", e);
        }
    }
}
