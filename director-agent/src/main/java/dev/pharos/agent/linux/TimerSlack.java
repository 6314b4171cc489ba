package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/// The calling thread's timer slack (`prctl(PR_SET_TIMERSLACK)`): how late the kernel may wake a
/// timed sleep so wake-ups can be merged, 50 µs by default. Threads inherit it from the thread
/// that creates them, so setting it on the main thread before the VRRP engine starts gives the
/// engine's timed parks a precise wake-up (bench/failover: timers fired 40–50 µs late).
public final class TimerSlack {

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    // int prctl(int option, ...): variadic after the first argument.
    private static final MethodHandle PRCTL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private TimerSlack() {
    }

    /// Sets the calling thread's timer slack (and that of the threads it creates from now on).
    public static void set(long nanos) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            int rc = (int) PRCTL.invokeExact(cs, PR_SET_TIMERSLACK, nanos);
            if (rc < 0) {
                throw new NativeException("prctl(PR_SET_TIMERSLACK, " + nanos + ")", Libc.errno(cs));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// The calling thread's timer slack in nanoseconds.
    public static long get() throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = Libc.capture(arena);
            int rc = (int) PRCTL.invokeExact(cs, PR_GET_TIMERSLACK, 0L);
            if (rc < 0) {
                throw new NativeException("prctl(PR_GET_TIMERSLACK)", Libc.errno(cs));
            }
            return rc;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
