package dev.pharos.console.lab.lesson;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.lab.Lab;
import dev.pharos.agent.lab.LabRealServer;
import dev.pharos.agent.lab.LabTraffic;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Health;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.console.model.VrrpState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/// Whether an observation holds, from what the console knows of the lab now (its model of the
/// directors, read on the FX thread) and the clients' results since the step began.
final class Check {

    /// What a check found.
    enum Outcome {
        NOT_YET, SEEN, CONTRADICTED
    }

    /// A check's outcome and what to tell the class about it.
    record Verdict(Outcome outcome, String detail) {
        static final Verdict NOT_YET = new Verdict(Outcome.NOT_YET, "");

        static Verdict seen(String detail) {
            return new Verdict(Outcome.SEEN, detail);
        }

        static Verdict contradicted(String detail) {
            return new Verdict(Outcome.CONTRADICTED, detail);
        }
    }

    /// What the checks read.
    ///
    /// @param results the clients' results since the step began, in order
    /// @param start   when the step began, on the lab's clock
    /// @param slack   how much longer than the lesson says to allow (1 on screen; more in tests
    ///                on a busy machine)
    record Facts(ClusterModel cluster, Lab lab, List<LabTraffic.Result> results, Instant start, Instant now,
            double slack) {
    }

    private Check() {
    }

    static Verdict check(Observation.Condition condition, Facts f) {
        return switch (condition) {
            case Observation.State s -> state(s, f);
            case Observation.Answers a -> answers(a, f);
            case Observation.AnswersAgain a -> answersAgain(a, f);
            case Observation.StaysOn s -> staysOn(s, f);
            case Observation.Health h -> health(h, f);
            case Observation.Weight w -> weight(w, f);
            case Observation.Priority p -> priority(p, f);
            case Observation.HeldBy h -> heldBy(h, f);
            case Observation.Quorum q -> quorum(q, f);
            case Observation.SplitBrain b -> splitBrain(b, f);
        };
    }

    private static Verdict state(Observation.State s, Facts f) {
        var now = f.cluster().director(s.director()).flatMap(d -> d.instance(s.instance()))
                .map(i -> i.stateProperty().get()).orElse(VrrpState.UNKNOWN);
        return now.name().equals(s.state()) ? Verdict.seen(s.director() + " reports " + now + " for " + s.instance())
                : Verdict.NOT_YET;
    }

    private static Verdict answers(Observation.Answers a, Facts f) {
        for (var r : results(f, a.vip())) {
            if (r.ok() && (a.through() == null || a.through().equals(r.director()))
                    && (a.from() == null || isServer(f, a.from(), r.answer()))) {
                return Verdict.seen("answered through " + r.director() + " by " + name(r.answer()));
            }
        }
        return Verdict.NOT_YET;
    }

    private static Verdict answersAgain(Observation.AnswersAgain a, Facts f) {
        var atMost = scaled(a.atMost(), f);
        LabTraffic.Result failed = null;
        for (var r : results(f, a.vip())) {
            if (!r.ok() && failed == null) {
                failed = r;
            } else if (r.ok() && failed != null) {
                var gap = Duration.between(failed.at(), r.at());
                return gap.compareTo(atMost) <= 0
                        ? Verdict.seen("answered again after " + seconds(gap) + " s, through " + r.director())
                        : Verdict.contradicted("answered again only after " + seconds(gap) + " s");
            } else if (r.ok() && !r.at().isBefore(f.start().plus(atMost))) {
                return Verdict.seen("no request failed");
            }
        }
        if (failed != null && Duration.between(failed.at(), f.now()).compareTo(atMost) > 0) {
            return Verdict.contradicted("no answer for " + seconds(Duration.between(failed.at(), f.now())) + " s");
        }
        return Verdict.NOT_YET;
    }

    private static Verdict staysOn(Observation.StaysOn s, Facts f) {
        int answers = 0;
        for (var r : results(f, s.vip())) {
            if (!r.ok()) {
                continue;
            }
            if (!isServer(f, s.server(), r.answer())) {
                return Verdict.contradicted(name(r.answer()) + " answered after "
                        + seconds(Duration.between(f.start(), r.at())) + " s");
            }
            answers++;
        }
        return answers > 0 ? Verdict.seen("only " + s.server() + " answered (" + answers + " answers)")
                : Verdict.NOT_YET;
    }

    private static Verdict health(Observation.Health h, Facts f) {
        var servers = realServers(f, h.server(), h.director());
        var want = h.up() ? Health.UP : Health.DOWN;
        if (!servers.isEmpty() && servers.stream().allMatch(r -> r.healthProperty().get() == want)) {
            var reason = servers.getFirst().healthReasonProperty().get();
            return Verdict.seen(h.server() + " is " + want + " on " + h.director()
                    + (reason == null || reason.isBlank() ? "" : ": " + reason));
        }
        return Verdict.NOT_YET;
    }

    private static Verdict weight(Observation.Weight w, Facts f) {
        var servers = realServers(f, w.server(), w.director());
        return !servers.isEmpty() && servers.stream().allMatch(r -> r.weightProperty().get() == w.weight())
                ? Verdict.seen("weight " + w.weight() + " in " + servers.size() + " virtual server"
                        + (servers.size() == 1 ? "" : "s"))
                : Verdict.NOT_YET;
    }

    private static Verdict priority(Observation.Priority p, Facts f) {
        var now = f.cluster().director(p.director()).flatMap(d -> d.instance(p.instance()))
                .map(i -> i.priorityProperty().get());
        return now.isPresent() && now.get() == p.priority()
                ? Verdict.seen(p.director() + " runs " + p.instance() + " at " + p.priority()) : Verdict.NOT_YET;
    }

    private static Verdict heldBy(Observation.HeldBy h, Facts f) {
        var vip = literal(h.vip());
        if (vip.isEmpty()) {
            return Verdict.contradicted(h.vip() + " is not an IP address");
        }
        var holders = f.lab().holders(vip.get());
        return holders.equals(h.directors()) ? Verdict.seen("held by " + String.join(" and ", new TreeSet<>(holders)))
                : Verdict.NOT_YET;
    }

    private static Verdict quorum(Observation.Quorum q, Facts f) {
        var services = f.cluster().director(q.director()).stream().flatMap(d -> d.virtualServers().stream())
                .filter(v -> q.vip().equals(v.addressProperty().get())).toList();
        return !services.isEmpty() && services.stream().allMatch(v -> v.quorumUpProperty().get() == q.up())
                ? Verdict.seen("quorum " + (q.up() ? "up" : "lost") + " on " + q.director()) : Verdict.NOT_YET;
    }

    private static Verdict splitBrain(Observation.SplitBrain b, Facts f) {
        var marked = f.cluster().directors().stream().flatMap(d -> d.instance(b.instance()).stream())
                .anyMatch(i -> i.splitBrainProperty().get());
        return marked == b.marked() ? Verdict.seen(b.instance() + (marked ? " marked" : " not marked") + " SPLIT BRAIN")
                : Verdict.NOT_YET;
    }

    /// The director's real servers that are `server` (a name such as `web-1`, or an address): at
    /// the lab server's IPv4 address or at its IPv6 one.
    private static List<RealServerModel> realServers(Facts f, String server, String director) {
        var address = address(f, server);
        var out = new ArrayList<RealServerModel>();
        f.cluster().director(director).ifPresent(d -> {
            for (VirtualServerModel vs : d.virtualServers()) {
                vs.realServers().stream().filter(r -> address.equals(r.addressProperty().get())
                        || literal(r.addressProperty().get()).flatMap(a -> f.lab().realServerAt(a))
                                .filter(l -> name(l.name()).equals(server)).isPresent())
                        .forEach(out::add);
            }
        });
        return out;
    }

    /// The address of real server `server`: its own text when it is one, else the lab's server
    /// whose name starts with it (`web-1` for "web-1 (172.17.0.66 in the post)").
    static String address(Facts f, String server) {
        for (var e : f.lab().realServers().entrySet()) {
            if (name(e.getValue().name()).equals(server)) {
                return Addresses.text(e.getKey());
            }
        }
        return server;
    }

    private static boolean isServer(Facts f, String server, String answer) {
        if (name(answer).equals(server)) {
            return true;
        }
        var label = literal(server).flatMap(a -> f.lab().realServerAt(a)).map(LabRealServer::name);
        return label.isPresent() && label.get().equals(answer);
    }

    /// A real server's short name: the first word of what it answers.
    static String name(String answer) {
        int space = answer.indexOf(' ');
        return space < 0 ? answer : answer.substring(0, space);
    }

    /// The results of requests to `vip` (as a lesson writes it: an IPv6 one in any form) on any port.
    private static List<LabTraffic.Result> results(Facts f, String vip) {
        var prefix = literal(vip).map(a -> new LabTraffic.Target(a, 0).host()).orElse(vip) + ":";
        return f.results().stream().filter(r -> r.vip().startsWith(prefix) && !r.at().isBefore(f.start())).toList();
    }

    private static Duration scaled(Duration d, Facts f) {
        return Duration.ofNanos((long) (d.toNanos() * f.slack()));
    }

    /// `text` as an address when it is an IPv4 or IPv6 literal (never a name: nothing is looked up).
    private static Optional<InetAddress> literal(String text) {
        try {
            return Optional.of(InetAddress.ofLiteral(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
