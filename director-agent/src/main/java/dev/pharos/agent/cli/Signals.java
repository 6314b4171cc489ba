package dev.pharos.agent.cli;

/// The agent's signals, as keepalived treats them: SIGHUP reloads the configuration (the JVM would
/// otherwise exit), SIGTERM and SIGINT stop gracefully and the process exits 0 (the JVM's own
/// handling would exit 143).
final class Signals {

    private Signals() {
    }

    /// @return false when SIGHUP was ignored by whoever started the agent (`nohup`, some process
    ///         supervisors): the JVM keeps an inherited "ignore" and the handler never runs
    @SuppressWarnings("removal")
    static boolean onHangup(Runnable action) {
        var previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                signal -> Thread.ofPlatform().name("sighup").start(action));
        return previous != sun.misc.SignalHandler.SIG_IGN;
    }

    @SuppressWarnings("removal")
    static void onTerminate(Runnable action) {
        sun.misc.SignalHandler handler = signal -> Thread.ofPlatform().name("sig" + signal.getName().toLowerCase())
                .start(action);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    }
}
