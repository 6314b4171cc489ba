package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/// The kernel's link notifications (rtnetlink group `RTMGRP_LINK`), as `ip monitor link` sees
/// them: the agent learns that an interface went down or came back the moment it happens, and
/// spends nothing while nothing changes.
///
/// An interface is *up* when it is administratively up and has carrier (`IFF_UP` and
/// `IFF_RUNNING`), the test keepalived applies; a deleted interface is down. [#dump] asks for the
/// state of every interface (at start, and again after the kernel dropped notifications for a
/// full socket buffer, `ENOBUFS`).
public final class LinkEvents implements AutoCloseable {

    private static final int NETLINK_ROUTE = 0;
    private static final int RTMGRP_LINK = 1;
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    private static final int RTM_GETLINK = 18;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int IFLA_IFNAME = 3;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;
    private static final int NLMSG_HDRLEN = 16;
    private static final int IFINFOMSG_LEN = 16;
    private static final int BUFFER = 64 * 1024;

    private final WakeableFd handle;
    private final MemorySegment buffer;
    private int sequence = (int) (System.nanoTime() & 0x7fffffff);

    private LinkEvents(WakeableFd handle) {
        this.handle = handle;
        this.buffer = handle.arena.allocate(BUFFER);
    }

    /// Subscribes to the link notifications of this network namespace.
    public static LinkEvents open() throws NativeException {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, NETLINK_ROUTE, "AF_NETLINK, NETLINK_ROUTE (links)");
        try (var a = Arena.ofConfined()) {
            Libc.bind(fd, SockAddr.netlink(a, RTMGRP_LINK), "netlink route, group RTMGRP_LINK");
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new LinkEvents(WakeableFd.of(fd));
    }

    /// Asks the kernel for every interface's state; the answer arrives through [#next] like
    /// notifications do.
    public void dump() throws NativeException {
        if (!handle.acquire()) {
            return;
        }
        try {
            var request = ByteBuffer.allocate(NLMSG_HDRLEN + IFINFOMSG_LEN).order(ByteOrder.nativeOrder());
            request.putInt(NLMSG_HDRLEN + IFINFOMSG_LEN).putShort((short) RTM_GETLINK)
                    .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(++sequence).putInt(0);
            request.put((byte) 0); // AF_UNSPEC; the rest of ifinfomsg stays zero
            try (var a = Arena.ofConfined()) {
                var seg = a.allocate(request.capacity());
                MemorySegment.copy(request.array(), 0, seg, ValueLayout.JAVA_BYTE, 0, request.capacity());
                Libc.sendto(handle.fd, seg, request.capacity(), SockAddr.netlink(a, 0), "rtnetlink RTM_GETLINK dump");
            }
        } finally {
            handle.release();
        }
    }

    /// Waits at most `timeout` for messages and returns the link states they carry, by name
    /// (several changes of one interface: the last); empty on timeout or once closed. Throws
    /// with `ENOBUFS` when the kernel dropped notifications: call [#dump] and go on.
    public Optional<Map<String, Boolean>> next(Duration timeout) throws NativeException {
        if (!handle.acquire()) {
            return Optional.empty();
        }
        try {
            if (!handle.awaitReadable(timeout)) {
                return Optional.empty();
            }
            long n = Libc.recvfrom(handle.fd, buffer, MemorySegment.NULL, MemorySegment.NULL, "rtnetlink link events");
            if (n <= 0) {
                return Optional.empty();
            }
            return Optional.of(parse(buffer.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder())));
        } finally {
            handle.release();
        }
    }

    /// The link states in one netlink read: `RTM_NEWLINK` (up when `IFF_UP` and `IFF_RUNNING`)
    /// and `RTM_DELLINK` (down). Other messages are skipped; a malformed message ends the parse
    /// (what came before it is kept), so kernel input can never throw out of the monitor.
    static Map<String, Boolean> parse(ByteBuffer b) {
        var states = new LinkedHashMap<String, Boolean>();
        int offset = 0;
        try {
            while (offset + NLMSG_HDRLEN <= b.limit()) {
                int len = b.getInt(offset);
                int type = b.getShort(offset + 4) & 0xffff;
                if (len < NLMSG_HDRLEN || offset + len > b.limit()) {
                    break;
                }
                if ((type == RTM_NEWLINK || type == RTM_DELLINK) && len >= NLMSG_HDRLEN + IFINFOMSG_LEN) {
                    int flags = b.getInt(offset + NLMSG_HDRLEN + 8);
                    var name = ifname(b, offset + NLMSG_HDRLEN + IFINFOMSG_LEN, offset + len);
                    if (name != null) {
                        states.put(name, type == RTM_NEWLINK && (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0);
                    }
                } else if (type == NLMSG_DONE || type == NLMSG_ERROR) {
                    // end of a dump, or an error answer to it: nothing to report
                    offset += align(len);
                    continue;
                }
                offset += align(len);
            }
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            // a truncated message: keep what was complete
        }
        return states;
    }

    /// The `IFLA_IFNAME` attribute among the rtattrs in `[from, to)`, or null.
    private static String ifname(ByteBuffer b, int from, int to) {
        int at = from;
        while (at + 4 <= to) {
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (len < 4 || at + len > to) {
                return null;
            }
            if (type == IFLA_IFNAME) {
                int end = at + 4;
                while (end < at + len && b.get(end) != 0) {
                    end++;
                }
                var bytes = new byte[end - at - 4];
                b.get(at + 4, bytes);
                return bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
            }
            at += align(len);
        }
        return null;
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }

    /// Stops listening; a thread waiting in [#next] returns at once. Idempotent.
    @Override
    public void close() {
        handle.close();
    }
}
