/// The only package that calls native code, through `java.lang.foreign`: raw IPv4 and IPv6
/// sockets (VRRP), AF_PACKET (gratuitous ARP, neighbour advertisements), rtnetlink (addresses),
/// generic netlink, the systemd notify socket, and the user-space balancer's TCP relay
/// ([Epoll], [TcpSockets], [NativeBuffer]).
///
/// Each C function is a `static final` downcall handle, created once (in [Libc], or in the file of
/// its concern: [Epoll], [TcpSockets]), called with `invokeExact`; `errno` is captured with the
/// call (never read after the fact) and a failure becomes a [NativeException] naming the call and
/// the error. Per-call memory lives in a confined
/// arena — or, on the relay's hot path, in memory a per-thread [TcpSockets] or [Epoll] holds, so a
/// call allocates nothing. Nothing outside this package sees a `MemorySegment`: the public API
/// takes and returns byte arrays, addresses, records and opaque [NativeBuffer]s.
package dev.pharos.agent.linux;
