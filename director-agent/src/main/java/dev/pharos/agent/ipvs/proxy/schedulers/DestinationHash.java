package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.Arrays;
import java.util.List;

/// `dh` (`ip_vs_dh.c`): a 256-bucket table indexed by a hash of the destination (virtual)
/// address, filled with the destinations in list order one bucket each (weights do not count),
/// as `ip_vs_dh_reassign` does; the bucket is `(address × 2654435761) & 255`. A quiescent or
/// overloaded destination refuses the connection (-1); there is no fallback.
///
/// In a user-space proxy every connection of one service reaches the same virtual address, so
/// `dh` sends all of them to one destination: it is meant for fwmark services over many
/// addresses (cache farms), and is provided for configurations that name it.
public final class DestinationHash implements Scheduler {

    static final int TAB_SIZE = 256;

    private final int[] buckets = new int[TAB_SIZE];

    DestinationHash() {
        Arrays.fill(buckets, -1);
    }

    @Override
    public String name() {
        return "dh";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        for (int i = 0; i < TAB_SIZE; i++) {
            buckets[i] = destinations.isEmpty() ? -1 : i % destinations.size();
        }
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        var d = buckets[bucket(flow)];
        return d < 0 || Scheduler.unavailable(destinations.get(d)) ? -1 : d;
    }

    static int bucket(Flow flow) {
        return (int) ((AddressHash.fold(flow.destination()) & 0xffffffffL) * 2654435761L) & (TAB_SIZE - 1);
    }
}
