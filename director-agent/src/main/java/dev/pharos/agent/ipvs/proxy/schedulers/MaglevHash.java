package dev.pharos.agent.ipvs.proxy.schedulers;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/// `mh` (`ip_vs_mh.c`): Maglev consistent hashing (Eisenbud et al., NSDI 2016, §3.4) over a
/// lookup table of [#TAB_SIZE] = 4093 entries (the kernel's default,
/// `CONFIG_IP_VS_MH_TAB_INDEX` = 12).
///
/// Each destination has a preference list of table positions, `offset + j × skip` mod 4093, from
/// two hashes of its address and port. The table is filled as `ip_vs_mh_populate` does: in list
/// order, each destination takes its next free preferred position `turns` times in a row, where
/// `turns = (lastWeight / gcd) >> rshift` (at least 1 for a non-zero weight; `rshift` keeps
/// `maxWeight / gcd` within 5 bits so a huge weight cannot starve the others), until the table is
/// full. The table is built from the *last non-zero* weight, so quiescing a destination (weight
/// 0) keeps everyone else's mapping: its clients are refused (-1), or with
/// [SchedulerFlag#FALLBACK] moved to the next available entry along the client's probe sequence.
///
/// Deviation from the kernel: the kernel hashes with `hsiphash`; Pharos uses a SplitMix64 mix with
/// fixed keys. The procedure is the kernel's, the resulting table is not bit-identical; that
/// matters to nobody, since kernel and user-space balancers never share a table.
public final class MaglevHash implements Scheduler {

    /// The lookup table size: a prime, so every skip is coprime with it.
    public static final int TAB_SIZE = 4093;
    /// `IP_VS_MH_TAB_BITS`: half the bits of the table size.
    static final int TAB_BITS = 5;

    private static final long HASH1 = 2654435761L;
    private static final long HASH2 = 2654435801L;

    private final boolean fallback;
    private final boolean hashPort;
    private final int[] lookup = new int[TAB_SIZE];

    MaglevHash(Set<SchedulerFlag> flags) {
        this.fallback = flags.contains(SchedulerFlag.FALLBACK);
        this.hashPort = flags.contains(SchedulerFlag.PORT);
        Arrays.fill(lookup, -1);
    }

    @Override
    public String name() {
        return "mh";
    }

    /// Rebuilds the table. Needs each candidate's address, so candidates must be [Addressed].
    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        Arrays.fill(lookup, -1);
        var n = destinations.size();
        if (n == 0 || n > TAB_SIZE) {
            return;
        }
        var gcd = 0;
        var maxWeight = 0;
        for (var d : destinations) {
            var w = d.lastWeight();
            if (w > 0) {
                gcd = gcd > 0 ? WeightedRoundRobin.gcd(w, gcd) : w;
            }
            maxWeight = Math.max(maxWeight, w);
        }
        var rshift = gcd < 1 ? 0 : Math.max(0, (32 - Integer.numberOfLeadingZeros(maxWeight / gcd)) - TAB_BITS);
        var perm = new int[n];
        var skip = new int[n];
        var turns = new int[n];
        var anyTurns = false;
        for (int i = 0; i < n; i++) {
            var d = destinations.get(i);
            var folded = d instanceof Addressed a ? AddressHash.fold(a.address()) : i;
            var port = d instanceof Addressed a ? a.port() : 0;
            perm[i] = (int) Long.remainderUnsigned(AddressHash.mix(HASH1, folded, port, 0), TAB_SIZE);
            skip[i] = (int) Long.remainderUnsigned(AddressHash.mix(HASH2, folded, port, 0), TAB_SIZE - 1) + 1;
            var lw = d.lastWeight();
            turns[i] = gcd < 1 ? 0 : Math.max((lw / gcd) >> rshift, lw != 0 ? 1 : 0);
            anyTurns |= turns[i] > 0;
        }
        if (!anyTurns) {
            return;
        }
        var filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < turns[i]; t++) {
                    var c = perm[i];
                    while (lookup[c] >= 0) {
                        c += skip[i];
                        if (c >= TAB_SIZE) {
                            c -= TAB_SIZE;
                        }
                    }
                    perm[i] = c;
                    lookup[c] = i;
                    if (++filled == TAB_SIZE) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        return AddressHash.lookup(lookup, TAB_SIZE, destinations, AddressHash.fold(flow.client()),
                hashPort ? flow.clientPort() : 0, fallback, MaglevHash::slot);
    }

    /// The destination index at table position `i` (for tests).
    int owner(int i) {
        return lookup[i];
    }

    private static int slot(int folded, int port, int offset) {
        return (int) Long.remainderUnsigned(AddressHash.mix(HASH1, folded, port, offset), TAB_SIZE);
    }

    /// A [Candidate] that also has an address, which Maglev's permutations are derived from (the
    /// kernel hashes `dest->addr` and `dest->port`). Without it, the list position is used.
    public interface Addressed extends Candidate {
        InetAddress address();

        int port();
    }
}
