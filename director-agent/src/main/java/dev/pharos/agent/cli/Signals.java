package dev.pharos.agent.cli;

/// SIGHUP handling. The JVM would otherwise treat SIGHUP as a request to exit; the agent reloads
/// its configuration instead, as keepalived does. SIGTERM and SIGINT keep the JVM's meaning (run
/// the shutdown hooks), where the agent's graceful stop is registered.
final class Signals {

    private Signals() {
    }

    @SuppressWarnings("removal")
    static void onHangup(Runnable action) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                signal -> Thread.ofPlatform().name("sighup").start(action));
    }
}
