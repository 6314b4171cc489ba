package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/// The whole process locked in memory (`mlockall`), keepalived's `vrrp_no_swap`: no page of the
/// agent — heap, code, thread stacks — waits for the swap device when the VRRP engine touches it.
///
/// As keepalived (`lib/process.c`): `MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT`. `MCL_ONFAULT` locks a
/// page when it is first touched, so the JVM's reserved but unused heap is neither filled in nor
/// counted: the resident size stays what it was, and stays resident.
public final class MemoryLock {

    private static final int MCL_CURRENT = 1;
    private static final int MCL_FUTURE = 2;
    private static final int MCL_ONFAULT = 4;
    private static final int RLIMIT_MEMLOCK = 8;
    private static final long RLIM_INFINITY = -1L;
    private static final int CAP_IPC_LOCK = 14;

    private static final MethodHandle MLOCKALL = Libc.downcall("mlockall", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // int getrlimit(int resource, struct rlimit *rlim); struct rlimit { rlim_t cur, max; } of 64-bit words.
    private static final MethodHandle GETRLIMIT = Libc.downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private MemoryLock() {
    }

    /// Locks every page the process has and will have, as it is touched. Refused beforehand when
    /// the process may lock only so much (`RLIMIT_MEMLOCK`, 8 MB by default) and lacks
    /// `CAP_IPC_LOCK`: with `MCL_FUTURE`, the JVM's next heap growth past that limit would fail
    /// and end the agent, so nothing is locked rather than part of it.
    public static void lockAll() throws IOException {
        long limit = lockLimit();
        if (limit != RLIM_INFINITY && (Privileges.effectiveCapabilities() & (1L << CAP_IPC_LOCK)) == 0) {
            throw new IOException("cannot lock the agent in memory: it may lock only " + limit / 1024
                    + " kB (RLIMIT_MEMLOCK) and lacks CAP_IPC_LOCK; give it LimitMEMLOCK=infinity in the systemd unit"
                    + " (ulimit -l unlimited)");
        }
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            int rc = (int) MLOCKALL.invokeExact(cs, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
            if (rc < 0) {
                throw new NativeException("mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)", Libc.errno(cs));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// The soft `RLIMIT_MEMLOCK` in bytes, or -1 when unlimited.
    static long lockLimit() throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            var rlimit = arena.allocate(JAVA_LONG, 2);
            int rc = (int) GETRLIMIT.invokeExact(cs, RLIMIT_MEMLOCK, rlimit);
            if (rc < 0) {
                throw new NativeException("getrlimit(RLIMIT_MEMLOCK)", Libc.errno(cs));
            }
            return rlimit.get(JAVA_LONG, 0);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
