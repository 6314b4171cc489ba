package dev.pharos.agent.sim;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import java.net.Inet4Address;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/// The lab's address table: which node holds which virtual address, and how many gratuitous
/// ARPs each node sent for it. One table for the whole lab; each engine gets its node's view
/// from [#forNode].
public final class SimAddressPlumbing {

    private final Map<Inet4Address, Set<String>> holders = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> garps = new ConcurrentHashMap<>();

    /// The [AddressPlumbing] of one node.
    public AddressPlumbing forNode(String node) {
        return new AddressPlumbing() {
            @Override
            public void addAddress(String interfaceName, VirtualAddress vip) {
                holders.computeIfAbsent(vip.address(), a -> ConcurrentHashMap.newKeySet()).add(node);
            }

            @Override
            public void removeAddress(String interfaceName, VirtualAddress vip) {
                holders.computeIfPresent(vip.address(), (a, set) -> {
                    set.remove(node);
                    return set;
                });
            }

            @Override
            public void sendGratuitousArp(String interfaceName, Inet4Address address) {
                garps.computeIfAbsent(node + " " + Addresses.text(address), k -> new AtomicLong()).incrementAndGet();
            }
        };
    }

    /// The nodes that hold `vip` now: one normally, two in a split brain, none between owners.
    public Set<String> holders(Inet4Address vip) {
        return Set.copyOf(holders.getOrDefault(vip, Set.of()));
    }

    /// Gratuitous ARPs `node` sent for `vip` so far.
    public long garpCount(String node, Inet4Address vip) {
        var n = garps.get(node + " " + Addresses.text(vip));
        return n == null ? 0 : n.get();
    }

    /// A node disappears (power cut): it holds nothing any more.
    public void dropNode(String node) {
        holders.values().forEach(set -> set.remove(node));
    }
}
