package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/// A `struct ifreq` kept for a socket's life and the interface `ioctl`s made with it: the name,
/// then a 24-byte union (an index, or a `struct sockaddr` such as the hardware address). Not
/// thread-safe: its owner serialises calls.
final class InterfaceRequest {

    static final long SIOCGIFHWADDR = 0x8927;
    static final long SIOCGIFINDEX = 0x8933;
    private static final int IFNAMSIZ = 16;
    private static final int SIZE = 40;
    private static final int UNION = 16;
    private static final int ARPHRD_ETHER = 1;

    private final MemorySegment ifreq;
    private final MemorySegment capture;

    InterfaceRequest(Arena arena) {
        this.ifreq = arena.allocate(SIZE, 8);
        this.capture = Libc.capture(arena);
    }

    /// The index of `ifname` (SIOCGIFINDEX on `fd`, any socket), or an error for `call` that says
    /// there is no such interface.
    int index(int fd, String ifname, String call) throws NativeException {
        name(ifname, call);
        ioctl(fd, SIOCGIFINDEX, ifname, call);
        return ifreq.get(ValueLayout.JAVA_INT_UNALIGNED, UNION);
    }

    /// Reads the hardware address of the interface [#index] last named (SIOCGIFHWADDR); false if
    /// it is not Ethernet. [#ethernetAddress] then holds it.
    boolean readEthernetAddress(int fd, String ifname, String call) throws NativeException {
        ioctl(fd, SIOCGIFHWADDR, ifname, call);
        return (ifreq.get(ValueLayout.JAVA_SHORT_UNALIGNED, UNION) & 0xffff) == ARPHRD_ETHER;
    }

    /// The index of `ifname` with its hardware address read ([#index], then
    /// [#readEthernetAddress]); an interface without an Ethernet address is refused unless
    /// `anyType`.
    int ethernetIndex(int fd, String ifname, String call, boolean anyType) throws NativeException {
        int index = index(fd, ifname, call);
        if (!readEthernetAddress(fd, ifname, call) && !anyType) {
            throw new NativeException(call, Errno.ENODEV, "interface " + ifname + " has no Ethernet address");
        }
        return index;
    }

    /// The six bytes [#readEthernetAddress] read, in place.
    MemorySegment ethernetAddress() {
        return ifreq.asSlice(UNION + 2, 6);
    }

    private void name(String ifname, String call) throws NativeException {
        int n = ifname.length();
        if (n == 0 || n >= IFNAMSIZ) {
            throw new NativeException(call, Errno.ENODEV, "there is no interface " + ifname
                    + " (interface names are 1 to " + (IFNAMSIZ - 1) + " ASCII characters)");
        }
        ifreq.fill((byte) 0);
        for (int i = 0; i < n; i++) {
            char c = ifname.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new NativeException(call, Errno.ENODEV,
                        "there is no interface " + ifname + " (interface names are printable ASCII)");
            }
            ifreq.set(ValueLayout.JAVA_BYTE, i, (byte) c);
        }
    }

    private void ioctl(int fd, long request, String ifname, String call) throws NativeException {
        try {
            Libc.ioctl(fd, request, ifreq, capture, call);
        } catch (NativeException e) {
            throw e.is(Errno.ENODEV) ? new NativeException(call, Errno.ENODEV, "there is no interface " + ifname)
                    : new NativeException(call, e.errno());
        }
    }
}
