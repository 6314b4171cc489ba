package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/// A NETLINK_GENERIC socket: resolves family names through the `nlctrl` controller
/// (`CTRL_CMD_GETFAMILY`) and carries requests of any family, returning the kernel's answer as
/// whole netlink messages. It knows netlink framing only; the families' own codecs live with their
/// users (IPVS in `agent.ipvs.kernel`, adapted by method references so this package depends on nothing).
/// One socket, opened once; calls are serialised.
public final class GenericNetlink implements AutoCloseable {

    private static final int NETLINK_GENERIC = 16;
    private static final int GENL_ID_CTRL = 0x10;
    private static final int CTRL_CMD_NEWFAMILY = 1;
    private static final int CTRL_CMD_GETFAMILY = 3;
    private static final int CTRL_ATTR_FAMILY_ID = 1;
    private static final int CTRL_ATTR_FAMILY_NAME = 2;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int HEADER = 16;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment kernel;
    private final MemorySegment buffer;
    private final MemorySegment pollFd;
    private final AtomicInteger sequence = new AtomicInteger((int) (System.nanoTime() & 0x3fffffff));
    private boolean closed;

    private GenericNetlink(int fd) {
        this.fd = fd;
        this.kernel = SockAddr.netlink(arena, 0);
        // large enough for the biggest dump datagram the kernel builds (it sizes them by our reads)
        this.buffer = arena.allocate(65_536);
        this.pollFd = arena.allocate(8);
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
    }

    public static GenericNetlink open() throws NativeException {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, NETLINK_GENERIC, "AF_NETLINK, NETLINK_GENERIC");
        try (var a = Arena.ofConfined()) {
            Libc.bind(fd, SockAddr.netlink(a, 0), "netlink generic");
        } catch (NativeException e) {
            Libc.close(fd);
            throw e;
        }
        return new GenericNetlink(fd);
    }

    /// The id of family `name` (`IPVS`, `nlctrl`…), or empty when the kernel has no such family
    /// (the controller answers ENOENT: for IPVS, the `ip_vs` module is not loaded).
    public synchronized Optional<Integer> resolveFamily(String name) throws NativeException {
        var nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        int attrLen = 4 + nameBytes.length;
        int length = HEADER + 4 + align(attrLen);
        var b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.putInt(length).putShort((short) GENL_ID_CTRL).putShort((short) (NLM_F_REQUEST | NLM_F_ACK))
                .putInt(sequence.incrementAndGet()).putInt(0);
        b.put((byte) CTRL_CMD_GETFAMILY).put((byte) 1).putShort((short) 0);
        b.putShort((short) attrLen).putShort((short) CTRL_ATTR_FAMILY_NAME).put(nameBytes);
        var what = "resolve generic netlink family " + name;
        for (var m : exchange(b.array(), what)) {
            var r = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
            int type = r.getShort(4) & 0xffff;
            if (type == NLMSG_ERROR) {
                int error = -r.getInt(HEADER);
                if (error == Errno.ENOENT) {
                    return Optional.empty();
                }
                if (error != 0) {
                    throw new NativeException(what, error);
                }
            } else if (type == GENL_ID_CTRL && m.length >= HEADER + 4 && (m[HEADER] & 0xff) == CTRL_CMD_NEWFAMILY) {
                var id = familyId(r, m.length);
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        throw new NativeException(what, Errno.EINVAL, "the controller's answer has no CTRL_ATTR_FAMILY_ID");
    }

    private static Optional<Integer> familyId(ByteBuffer r, int end) {
        int at = HEADER + 4;
        while (end - at >= 4) {
            int len = r.getShort(at) & 0xffff;
            int type = r.getShort(at + 2) & 0x3fff;
            if (len < 4 || len > end - at) {
                return Optional.empty();
            }
            if (type == CTRL_ATTR_FAMILY_ID && len >= 6) {
                return Optional.of(r.getShort(at + 4) & 0xffff);
            }
            at += align(len);
        }
        return Optional.empty();
    }

    /// Sends `request` (a whole netlink message; its sequence number is used to match the answer)
    /// and returns the answering messages up to and including `NLMSG_DONE` or `NLMSG_ERROR`. The
    /// request must be a dump or ask for an acknowledgement, else no such end comes and this
    /// fails after 5 s.
    public synchronized List<byte[]> transact(byte[] request) throws NativeException {
        if (request.length < HEADER) {
            throw new IllegalArgumentException("a netlink request needs at least its 16-byte header, got "
                    + request.length);
        }
        return exchange(request, "generic netlink request type "
                + (ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getShort(4) & 0xffff));
    }

    private List<byte[]> exchange(byte[] request, String what) throws NativeException {
        if (closed) {
            throw new NativeException(what, Errno.EBADF, "the generic netlink socket is closed");
        }
        int seq = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getInt(8);
        try (var a = Arena.ofConfined()) {
            var seg = a.allocate(request.length);
            MemorySegment.copy(request, 0, seg, ValueLayout.JAVA_BYTE, 0, request.length);
            Libc.sendto(fd, seg, request.length, kernel, what);
        }
        var out = new ArrayList<byte[]>();
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Libc.poll(pollFd, 1, 500) <= 0) {
                continue;
            }
            long n = Libc.recvfrom(fd, buffer, MemorySegment.NULL, MemorySegment.NULL, what);
            if (n < 0) {
                continue;
            }
            var datagram = buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            var r = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
            int offset = 0;
            while (n - offset >= HEADER) {
                int len = r.getInt(offset);
                if (len < HEADER || len > n - offset) {
                    throw new NativeException(what, Errno.EINVAL, "the kernel sent a netlink message of length "
                            + len + " with " + (n - offset) + " bytes left");
                }
                int type = r.getShort(offset + 4) & 0xffff;
                if (r.getInt(offset + 8) == seq) {
                    out.add(Arrays.copyOfRange(datagram, offset, offset + len));
                    if (type == NLMSG_DONE || type == NLMSG_ERROR) {
                        return List.copyOf(out);
                    }
                }
                offset += align(len);
            }
        }
        throw new NativeException(what, Errno.EAGAIN, "the kernel did not finish answering within "
                + ANSWER_TIMEOUT.toSeconds() + " s");
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }
}
