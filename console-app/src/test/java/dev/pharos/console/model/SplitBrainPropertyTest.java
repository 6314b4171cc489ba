package dev.pharos.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.LinkState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// The split-brain alarm against 1,000 random histories of a director pair, simulated in virtual
/// time: preemption, graceful stops, kills, restarts, links to the console that drop, events
/// that arrive seconds late or never, and — in half the histories — a real partition at the end.
/// The console's [ClusterModel] sees only what reaches it, in order per director, as over a real
/// connection. It must never declare a split brain that did not last Master_Down_Interval in
/// truth, and must declare every real one within twice that.
class SplitBrainPropertyTest {

    private static final long ADVERT_MS = 1000;
    private static final String VIP = "192.0.2.100/32";

    @Test
    void noFalseAlarmsAndEveryPartitionFlaggedInTime() {
        long base = Long.getLong("splitbrain.seed", 20261207L);
        int partitions = 0;
        int checkingSeen = 0;
        for (int run = 0; run < 1000; run++) {
            var sim = new Sim(base + run, run % 2 == 0);
            sim.run();
            partitions += sim.partition ? 1 : 0;
            checkingSeen += sim.checkingSeen ? 1 : 0;
        }
        assertThat(partitions).isEqualTo(500);
        // The histories do produce the moments that used to raise false alarms.
        assertThat(checkingSeen).as("histories with two MASTER reports at once").isGreaterThan(300);
    }

    /// The rule on its own: a takeover's overlap is not enough, a long one is.
    @Test
    void ruleNeedsAnOverlapOfMasterDownInterval() {
        var mdi = SplitBrainRule.masterDownInterval(Duration.ofSeconds(1), 98);
        assertThat(mdi).isEqualTo(Duration.ofNanos(3_617_187_000L));
        var t0 = Instant.parse("2026-12-07T10:00:00Z");
        var oldMaster = new SplitBrainRule.MasterReport("a", t0.minusSeconds(60), t0.plusMillis(300), mdi);
        var newMaster = new SplitBrainRule.MasterReport("b", t0, t0.plusMillis(10), mdi);
        assertThat(SplitBrainRule.judge(List.of(oldMaster, newMaster)))
                .isEqualTo(new SplitBrainRule.Verdict.Checking(t0.plus(mdi)));
        var later = new SplitBrainRule.MasterReport("a", t0.minusSeconds(60), t0.plus(mdi), mdi);
        var laterB = new SplitBrainRule.MasterReport("b", t0, t0.plus(mdi).plusMillis(5), mdi);
        assertThat(SplitBrainRule.judge(List.of(later, laterB))).isInstanceOf(SplitBrainRule.Verdict.Split.class);
        assertThat(SplitBrainRule.judge(List.of(later))).isInstanceOf(SplitBrainRule.Verdict.Single.class);
    }

    /// One history.
    private static final class Sim {
        final Random random;
        final long seed;
        final boolean partition;
        long now = 1_000_000;
        long order;
        final PriorityQueue<Item> queue = new PriorityQueue<>();
        final ClusterModel cluster;
        final Director a;
        final Director b;
        final List<String> log = new ArrayList<>();
        Long partitionStart;
        long flaggedAt = -1;
        boolean checkingSeen;

        record Item(long at, long order, Runnable task) implements Comparable<Item> {
            @Override
            public int compareTo(Item o) {
                return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
            }
        }

        Sim(long seed, boolean partition) {
            this.seed = seed;
            this.random = new Random(seed);
            this.partition = partition;
            var clock = new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.ofEpochMilli(now);
                }
            };
            cluster = new ClusterModel("sim", Runnable::run, clock, (delay, task) -> at(now + ceilMillis(delay), task));
            a = new Director("a", 100);
            b = new Director("b", 98);
            cluster.onConfirm(name -> (name.equals("a") ? a : b).askState());
        }

        static long ceilMillis(Duration d) {
            return (d.toNanos() + 999_999) / 1_000_000;
        }

        void at(long time, Runnable task) {
            queue.add(new Item(Math.max(time, now), order++, task));
        }

        void run() {
            a.start("MASTER");
            b.start("BACKUP");
            long end = now + 40_000 + random.nextInt(40_000);
            long next = now + 2_000;
            while (next < end) {
                at(next, this::randomStep);
                next += 500 + random.nextInt(8_000);
            }
            if (partition) {
                at(end, this::partition);
                end += 3 * mdi(b) + 3 * mdi(a) + 5_000;
            }
            long stop = end + 10_000;
            int steps = 0;
            while (!queue.isEmpty() && queue.peek().at() <= stop && steps++ < 200_000) {
                var item = queue.poll();
                now = item.at();
                item.task().run();
                check();
            }
            note("end: queue " + queue.size() + (queue.isEmpty() ? "" : ", next at " + queue.peek().at()) + ", stop " + stop
                    + ", steps " + steps);
            if (partition) {
                assertThat(partitionStart).as(context("the partition started")).isNotNull();
                assertThat(flaggedAt).as(context("the partition was flagged")).isNotNegative();
                assertThat(flaggedAt - partitionStart).as(context("ms from two masters to the alarm"))
                        .isLessThanOrEqualTo(2 * Math.max(mdi(a), mdi(b)));
            }
        }

        /// After every step: a flag only for two masters that lasted, in truth.
        void check() {
            var flagged = !cluster.splitBrains().isEmpty();
            for (var d : cluster.directors()) {
                for (var i : d.instances()) {
                    checkingSeen |= i.splitBrainStateProperty().get() == SplitBrain.CHECKING;
                }
            }
            if (flagged) {
                assertThat(partitionStart).as(context("split brain flagged without a partition")).isNotNull();
                assertThat(now - partitionStart).as(context("flagged before two masters lasted Master_Down_Interval"))
                        .isGreaterThanOrEqualTo(Math.min(mdi(a), mdi(b)));
                if (flaggedAt < 0) {
                    flaggedAt = now;
                }
            }
        }

        String context(String what) {
            return what + " (seed " + seed + ", partition " + partition + ", at " + now + ")\n"
                    + String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        }

        void note(String text) {
            log.add(now + " " + text);
        }

        long mdi(Director d) {
            return SplitBrainRule.masterDownInterval(Duration.ofMillis(ADVERT_MS), d.priority).toMillis();
        }

        Director other(Director d) {
            return d == a ? b : a;
        }

        Director master() {
            return a.is("MASTER") ? a : b.is("MASTER") ? b : null;
        }

        void randomStep() {
            if (partitionStart != null || busy) {
                return;
            }
            var m = master();
            var d = random.nextBoolean() ? a : b;
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    // Preemption: a backup outbids the master, which steps down on its first advert.
                    if (m != null && other(m).running && other(m).is("BACKUP")) {
                        var o = other(m);
                        note("preempt: " + o.name + " over " + m.name);
                        o.transition("MASTER", "preempting a lower priority");
                        quiet(random.nextLong(ADVERT_MS + 50), () -> m.transitionIf("MASTER", "BACKUP", "higher priority advert"));
                    }
                }
                case 2 -> {
                    if (m != null && other(m).running) {
                        note("graceful stop of " + m.name);
                        m.stop(true);
                        var o = other(m);
                        quiet(skew(o), () -> o.transitionIf("BACKUP", "MASTER", "priority 0 received"));
                    }
                }
                case 3 -> {
                    if (m != null && other(m).running) {
                        note("kill of " + m.name);
                        m.stop(false);
                        var o = other(m);
                        quiet(mdi(o) - random.nextLong(ADVERT_MS), () -> o.transitionIf("BACKUP", "MASTER",
                                "Master_Down timer"));
                    }
                }
                case 4 -> {
                    var stopped = !a.running ? a : !b.running ? b : null;
                    if (stopped != null) {
                        note("restart of " + stopped.name);
                        stopped.start(master() == null ? "MASTER" : "BACKUP");
                    }
                }
                case 5 -> {
                    note("late events from " + d.name);
                    d.lateUntil = now + 1_000 + random.nextInt(9_000);
                    d.lateBy = 500 + random.nextInt(5_500);
                }
                case 6 -> {
                    note("the next events of " + d.name + " are lost");
                    d.lose = 1 + random.nextInt(2);
                }
                case 7 -> {
                    if (d.running && d.linked) {
                        note("console link to " + d.name + " drops");
                        d.dropLink();
                        at(now + 1_000 + random.nextInt(4_000), () -> {
                            if (d.running && !d.linked) {
                                d.link();
                            }
                        });
                    }
                }
                default -> {
                    if (m != null && other(m).running && other(m).is("BACKUP") && random.nextBoolean()) {
                        note("backup " + other(m).name + " stops");
                        other(m).stop(random.nextBoolean());
                    }
                }
            }
        }

        boolean busy;

        /// Runs `then` after `ms`, with no other step of the history in between.
        void quiet(long ms, Runnable then) {
            busy = true;
            at(now + Math.max(0, ms), () -> {
                busy = false;
                then.run();
            });
        }

        long skew(Director d) {
            return (256 - d.priority) * ADVERT_MS / 256;
        }

        /// Both directors up and linked, then the adverts stop passing: the backup takes over after
        /// its Master_Down_Interval and both stay MASTER.
        void partition() {
            if (busy) {
                at(now + 100, this::partition); // a takeover is still under way: let it finish
                return;
            }
            busy = true;
            for (var d : List.of(a, b)) {
                d.lateUntil = 0;
                if (!d.running) {
                    d.start(master() == null ? "MASTER" : "BACKUP");
                } else if (!d.linked) {
                    d.link();
                }
            }
            at(now + 3_000, () -> {
                var m = master();
                var o = m == null ? a : other(m);
                note("partition: " + o.name + " stops hearing adverts");
                at(now + mdi(o), () -> {
                    if (!o.is("MASTER")) {
                        o.transition("MASTER", "Master_Down timer (partition)");
                    }
                    partitionStart = now;
                });
            });
        }

        /// One director: its VRRP truth and its connection to the console (FIFO, maybe late or lossy).
        final class Director {
            final String name;
            final int priority;
            final DirectorConnection.Listener console;
            String state = "INIT";
            long lastChange;
            long transitions;
            boolean running;
            boolean linked;
            int generation;
            int linkToken;
            long lastDelivery;
            long lateUntil;
            long lateBy;
            int lose;
            long sequence;

            Director(String name, int priority) {
                this.name = name;
                this.priority = priority;
                this.console = cluster.listenerFor(name);
            }

            boolean is(String s) {
                return running && state.equals(s);
            }

            void start(String initial) {
                running = true;
                state = initial;
                lastChange = now;
                link();
            }

            /// `graceful`: the agent sent its last events (which may still be lost) before its
            /// connection closed; a kill sends nothing.
            void stop(boolean graceful) {
                if (graceful) {
                    transition("STOPPED", "stopping");
                }
                if (!graceful || random.nextBoolean()) {
                    generation++; // what was still on its way never arrives
                }
                running = false;
                state = "STOPPED";
                lost(1_000 + random.nextInt(2_500), "gone");
            }

            /// The console's link to a running director drops.
            void dropLink() {
                generation++;
                lost(500 + random.nextInt(2_000), "link lost");
            }

            /// The console notices a lost link by its heartbeat, `after` ms later.
            void lost(long after, String why) {
                linked = false;
                int token = ++linkToken;
                at(now + after, () -> {
                    if (linkToken == token) {
                        console.linkState(new LinkState.Retrying(Instant.ofEpochMilli(now), why, Duration.ofSeconds(1), 1));
                    }
                });
            }

            /// The console connects: a state, then the connected notice (as DirectorConnection does),
            /// then a fresh state every 5 s while linked.
            void link() {
                linked = true;
                linkToken++;
                int g = ++generation;
                lastDelivery = now;
                send(g, snapshotTask());
                send(g, () -> console.linkState(new LinkState.Connected(Instant.ofEpochMilli(now),
                        new Hello(1, "sim", name, new Hello.Capabilities("none", List.of(2), List.of(), List.of())))));
                periodic(g);
            }

            void periodic(int g) {
                at(now + 5_000, () -> {
                    if (generation == g && linked) {
                        send(g, snapshotTask());
                        periodic(g);
                    }
                });
            }

            /// The console asks for a state (a refresh): the request travels, the answer comes back in order.
            void askState() {
                if (!linked) {
                    return;
                }
                int g = generation;
                at(now + 1 + random.nextInt(30), () -> {
                    if (generation == g && linked && random.nextInt(10) > 0) {
                        send(g, snapshotTask());
                    }
                });
            }

            void transitionIf(String from, String to, String reason) {
                if (is(from)) {
                    transition(to, reason);
                }
            }

            void transition(String to, String reason) {
                var from = state;
                state = to;
                lastChange = now;
                transitions++;
                note(name + ": " + from + " -> " + to + " (" + reason + ")");
                if (!linked) {
                    return;
                }
                if (lose > 0) {
                    lose--;
                    return;
                }
                var event = new AgentEvent.VrrpTransition(++sequence, Instant.ofEpochMilli(now), "VI_1", 90, from, to,
                        reason, priority);
                send(generation, () -> console.event(event));
            }

            Runnable snapshotTask() {
                var s = new AgentState("r", name, Instant.ofEpochMilli(now), sequence, new AgentState.Balancer("none", "sim"),
                        List.of(new AgentState.VrrpInstance("VI_1", 90, "eth0", 2, running ? state : "STOPPED", priority,
                                priority, null, List.of(VIP), ADVERT_MS, Instant.ofEpochMilli(lastChange), transitions,
                                List.of(), Map.of())), List.of());
                return () -> console.agentState(s);
            }

            /// In order, after the link's delay, unless the link it was sent on is gone by then.
            void send(int g, Runnable deliver) {
                long delay = now < lateUntil ? lateBy : 1 + random.nextInt(50);
                lastDelivery = Math.max(lastDelivery, now + delay);
                at(lastDelivery, () -> {
                    if (generation == g) {
                        deliver.run();
                    }
                });
            }
        }
    }
}
