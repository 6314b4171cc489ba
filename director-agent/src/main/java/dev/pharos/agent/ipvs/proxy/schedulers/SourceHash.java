package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/// `sh` (`ip_vs_sh.c`): a 256-bucket table indexed by a hash of the client's address (and port
/// with [SchedulerFlag#PORT]); the same client always reaches the same destination while the list
/// is unchanged.
///
/// The table is filled as the kernel's `ip_vs_sh_reassign` does: destinations in list order,
/// each taking `weight` consecutive buckets (at least one, so a quiescent destination keeps its
/// bucket), round and round until the 256 buckets are full. The bucket is
/// `hash_32(port + address, 8)`. A quiescent or overloaded destination in the client's bucket
/// refuses the connection (-1), unless [SchedulerFlag#FALLBACK], which walks the buckets from the
/// client's own on to the first available destination.
public final class SourceHash implements Scheduler {

    static final int TAB_BITS = 8;
    static final int TAB_SIZE = 1 << TAB_BITS;

    private final boolean fallback;
    private final boolean hashPort;
    private final int[] buckets = new int[TAB_SIZE];

    SourceHash(Set<SchedulerFlag> flags) {
        this.fallback = flags.contains(SchedulerFlag.FALLBACK);
        this.hashPort = flags.contains(SchedulerFlag.PORT);
        Arrays.fill(buckets, -1);
    }

    @Override
    public String name() {
        return "sh";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        if (destinations.isEmpty()) {
            Arrays.fill(buckets, -1);
            return;
        }
        var p = 0;
        var count = 0;
        for (int i = 0; i < TAB_SIZE; i++) {
            buckets[i] = p;
            if (++count >= destinations.get(p).weight()) {
                p = (p + 1) % destinations.size();
                count = 0;
            }
        }
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        return AddressHash.lookup(buckets, TAB_SIZE, destinations, AddressHash.fold(flow.client()),
                hashPort ? flow.clientPort() : 0, fallback, SourceHash::bucket);
    }

    /// The table's destination index for bucket `i` (for tests).
    int bucketOwner(int i) {
        return buckets[i];
    }

    private static int bucket(int folded, int port, int offset) {
        return (offset + AddressHash.hash32(port + folded, TAB_BITS)) % TAB_SIZE;
    }
}
