/// The only package that calls native code, through `java.lang.foreign`: raw IP sockets (VRRP),
/// AF_PACKET (gratuitous ARP), rtnetlink (addresses), generic netlink, and the systemd notify socket.
///
/// Each C function is a `static final` downcall handle in [Libc], created once, called with
/// `invokeExact`; `errno` is captured with the call (never read after the fact) and a failure
/// becomes a [NativeException] naming the call and the error. Per-call memory lives in a confined
/// arena. Nothing outside this package sees a `MemorySegment`: the public API takes and returns
/// byte arrays, addresses and records.
package dev.pharos.agent.linux;
