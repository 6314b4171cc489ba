package dev.pharos.agent.sim;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/// The lab's address table: which node holds which virtual address, and how many gratuitous
/// ARPs each node sent for it. One table for the whole lab; each engine gets its node's view
/// from [#forNode].
public final class SimAddressPlumbing {

    private final Map<InetAddress, Set<String>> holders = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> garps = new ConcurrentHashMap<>();
    private final List<Consumer<InetAddress>> listeners = new CopyOnWriteArrayList<>();

    /// `listener` hears each VIP whose holders changed, on the thread that changed them (an
    /// engine's); it must return quickly.
    public void addListener(Consumer<InetAddress> listener) {
        listeners.add(listener);
    }

    private void changed(InetAddress vip) {
        listeners.forEach(l -> l.accept(vip));
    }

    /// The [AddressPlumbing] of one node.
    public AddressPlumbing forNode(String node) {
        return new AddressPlumbing() {
            @Override
            public void addAddress(String interfaceName, VirtualAddress vip) {
                if (holders.computeIfAbsent(vip.address(), a -> ConcurrentHashMap.newKeySet()).add(node)) {
                    changed(vip.address());
                }
            }

            @Override
            public void removeAddress(String interfaceName, VirtualAddress vip) {
                var set = holders.get(vip.address());
                if (set != null && set.remove(node)) {
                    changed(vip.address());
                }
            }

            @Override
            public void announce(String interfaceName, InetAddress address) {
                garps.computeIfAbsent(node + " " + Addresses.text(address), k -> new AtomicLong()).incrementAndGet();
            }
        };
    }

    /// The nodes that hold `vip` now: one normally, two in a split brain, none between owners.
    public Set<String> holders(InetAddress vip) {
        return Set.copyOf(holders.getOrDefault(vip, Set.of()));
    }

    /// Gratuitous ARPs `node` sent for `vip` so far.
    public long garpCount(String node, InetAddress vip) {
        var n = garps.get(node + " " + Addresses.text(vip));
        return n == null ? 0 : n.get();
    }

    /// A node disappears (power cut): it holds nothing any more.
    public void dropNode(String node) {
        holders.forEach((vip, set) -> {
            if (set.remove(node)) {
                changed(vip);
            }
        });
    }
}
