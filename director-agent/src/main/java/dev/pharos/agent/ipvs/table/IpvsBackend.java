package dev.pharos.agent.ipvs.table;

import java.util.Set;

/// Something that holds a virtual-server table and changes it one operation at a time: the
/// kernel's IPVS (`ipvs.kernel.KernelIpvs`) or the user-space balancer (`ipvs.proxy.UserspaceBackend`).
public interface IpvsBackend {

    /// A short name for logs and `state.get` (`kernel`, `userspace`).
    String name();

    /// The table the backend holds now.
    ServiceTable read() throws BackendException;

    /// The services among `keys` that the backend holds now, with their destinations: what a
    /// change of a few services reads back without reading the rest of a large table. A backend
    /// that cannot read less reads it all and leaves the rest out.
    default ServiceTable read(Set<ServiceKey> keys) throws BackendException {
        return read().only(keys);
    }

    /// Applies one operation; on failure the backend is left as it was before the call.
    void apply(IpvsOp op) throws BackendException;
}
