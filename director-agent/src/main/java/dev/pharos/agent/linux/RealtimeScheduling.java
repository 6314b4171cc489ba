package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/// Real-time scheduling of one thread (`sched_setscheduler`), keepalived's `vrrp_rt_priority`: a
/// `SCHED_RR` thread runs before every normal (`SCHED_OTHER`) thread of the machine, so a CPU hog
/// cannot delay its adverts. Linux schedules threads, not processes: only the thread that calls
/// [#roundRobin] changes, the JVM's other threads (compiler, collector, control channel) stay
/// normal. Its Linux thread id comes from `gettid`, not from [Thread#threadId()].
///
/// As keepalived (`lib/process.c`), the policy carries `SCHED_RESET_ON_FORK`: processes and threads
/// the thread starts (notify scripts, `vrrp_script`s) run as normal ones.
public final class RealtimeScheduling {

    /// The range of `SCHED_RR` priorities on Linux (`sched_get_priority_min/max`).
    public static final int MIN_PRIORITY = 1;
    public static final int MAX_PRIORITY = 99;

    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    private static final int SCHED_RR = 2;
    private static final int SCHED_BATCH = 3;
    private static final int SCHED_IDLE = 5;
    private static final int SCHED_RESET_ON_FORK = 0x40000000;

    // int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param); struct
    // sched_param is one int. pid = a thread id (0: the calling thread).
    private static final MethodHandle SCHED_SETSCHEDULER = Libc.downcall("sched_setscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SCHED_GETSCHEDULER = Libc.downcall("sched_getscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SCHED_GETPARAM = Libc.downcall("sched_getparam",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETTID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    /// A thread's scheduling: `policy` as the kernel names it (`SCHED_RR`), its real-time
    /// priority (0 for the normal policies) and whether `SCHED_RESET_ON_FORK` is set.
    public record Policy(String policy, int priority, boolean resetOnFork) {
    }

    private RealtimeScheduling() {
    }

    /// The calling thread's Linux thread id.
    public static int threadId() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// Puts the calling thread under `SCHED_RR` at `priority` (1–99), reset on fork. Without
    /// `CAP_SYS_NICE`, the kernel allows it only up to the process's `RLIMIT_RTPRIO` (systemd's
    /// `LimitRTPRIO=`), and never under `RestrictRealtime=yes`: then EPERM.
    public static void roundRobin(int priority) throws NativeException {
        roundRobin(threadId(), priority);
    }

    /// Like [#roundRobin(int)] for thread `tid` of this process, a thread the JVM runs itself
    /// ([#jvmThread]).
    public static void roundRobin(int tid, int priority) throws NativeException {
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("SCHED_RR priority " + priority + " is outside 1–99");
        }
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            var param = arena.allocate(JAVA_INT);
            param.set(JAVA_INT, 0, priority);
            int rc = (int) SCHED_SETSCHEDULER.invokeExact(cs, tid, SCHED_RR | SCHED_RESET_ON_FORK, param);
            if (rc < 0) {
                int errno = Libc.errno(cs);
                throw errno == Errno.EPERM
                        ? new NativeException("sched_setscheduler(thread " + tid + ", SCHED_RR, " + priority + ")", errno,
                                "not permitted: the agent needs CAP_SYS_NICE or a real-time priority limit of at least "
                                        + priority + " (systemd: LimitRTPRIO=" + priority + ", without RestrictRealtime=yes)")
                        : new NativeException("sched_setscheduler(thread " + tid + ", SCHED_RR, " + priority + ")", errno);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// The Linux thread id of the JVM's own thread named `name` (its `comm`, at most 15
    /// characters: `VM Thread`), or empty when there is none.
    public static OptionalInt jvmThread(String name) {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (var task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                        return OptionalInt.of(Integer.parseInt(task.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        return OptionalInt.empty();
    }

    /// The scheduling of the calling thread.
    public static Policy current() throws NativeException {
        return of(threadId());
    }

    /// The scheduling of thread `tid` (a Linux thread id, also a process id).
    public static Policy of(int tid) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            int policy = (int) SCHED_GETSCHEDULER.invokeExact(cs, tid);
            if (policy < 0) {
                throw new NativeException("sched_getscheduler(" + tid + ")", Libc.errno(cs));
            }
            var param = arena.allocate(JAVA_INT);
            int rc = (int) SCHED_GETPARAM.invokeExact(cs, tid, param);
            if (rc < 0) {
                throw new NativeException("sched_getparam(" + tid + ")", Libc.errno(cs));
            }
            return new Policy(name(policy & ~SCHED_RESET_ON_FORK), param.get(JAVA_INT, 0),
                    (policy & SCHED_RESET_ON_FORK) != 0);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String name(int policy) {
        return switch (policy) {
            case SCHED_OTHER -> "SCHED_OTHER";
            case SCHED_FIFO -> "SCHED_FIFO";
            case SCHED_RR -> "SCHED_RR";
            case SCHED_BATCH -> "SCHED_BATCH";
            case SCHED_IDLE -> "SCHED_IDLE";
            default -> "policy " + policy; // SCHED_DEADLINE and later ones
        };
    }
}
