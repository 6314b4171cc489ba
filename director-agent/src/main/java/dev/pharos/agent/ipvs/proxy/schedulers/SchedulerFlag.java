package dev.pharos.agent.ipvs.proxy.schedulers;

/// The scheduler flags of `ipvsadm -b` / keepalived's `lvs_sched` options (`IP_VS_SVC_F_SCHED1..2`).
public enum SchedulerFlag {
    /// `sh-fallback` / `mh-fallback`: when the hashed destination is unavailable, walk on to the
    /// next one instead of refusing the connection.
    FALLBACK,
    /// `sh-port` / `mh-port`: hash the client's port as well as its address.
    PORT
}
