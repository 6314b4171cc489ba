package dev.pharos.agent.ipvs.table;

/// Something that holds a virtual-server table and changes it one operation at a time: the
/// kernel's IPVS (`ipvs.kernel.KernelIpvs`) or the user-space balancer (`ipvs.proxy.UserspaceBackend`).
public interface IpvsBackend {

    /// A short name for logs and `state.get` (`kernel`, `userspace`).
    String name();

    /// The table the backend holds now.
    ServiceTable read() throws BackendException;

    /// Applies one operation; on failure the backend is left as it was before the call.
    void apply(IpvsOp op) throws BackendException;
}
