package dev.pharos.agent.daemon;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/// Watches whether interfaces are up (administratively up and present) and reports each change,
/// for `track_interface` and for instances whose interface goes down (FAULT).
///
/// It polls the kernel's view every `period` through the JDK (a netlink link-event subscription
/// would report sooner; polling at 200 ms is well inside one advert interval).
final class InterfaceMonitor implements AutoCloseable {

    private final List<String> names;
    private final Duration period;
    private final BiConsumer<String, Boolean> listener;
    private final Map<String, Boolean> last = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    InterfaceMonitor(List<String> names, Duration period, BiConsumer<String, Boolean> listener) {
        this.names = List.copyOf(names);
        this.period = period;
        this.listener = listener;
        this.thread = Thread.ofPlatform().name("interface-monitor").daemon().unstarted(this::loop);
    }

    void start() {
        pollOnce();
        thread.start();
    }

    static boolean up(String name) {
        try {
            var nif = NetworkInterface.getByName(name);
            return nif != null && nif.isUp();
        } catch (SocketException e) {
            return false;
        }
    }

    void pollOnce() {
        for (var n : names) {
            boolean now = up(n);
            var before = last.put(n, now);
            if (before == null || before != now) {
                listener.accept(n, now);
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            pollOnce();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
