package dev.pharos.console.topology;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/// What moves on the topology, for a class to follow: VRRP adverts as pulses from a director to
/// its peers, each VIP as a marker on the director that holds it (travelling to the new holder on
/// a takeover), and the clients' requests along the path they take. Every motion is timed on a
/// clock the caller gives (the lab's), so it slows down and stands still with it; a
/// [MotionLayer] draws it. FX thread only.
public final class MotionViewModel {

    /// How long, on the clock, an advert takes to cross to a peer as drawn.
    static final Duration ADVERT = Duration.ofMillis(400);
    /// How long a request's round trip takes as drawn (a real one takes a millisecond: too fast
    /// to see).
    static final Duration REQUEST = Duration.ofMillis(900);
    /// How long a VIP's marker takes to travel to its new holder.
    static final Duration VIP_MOVE = Duration.ofMillis(700);
    /// At most this many motions at once; the oldest make room (the drawing's nodes are bounded).
    static final int MAX_MOTIONS = 48;

    /// What a motion shows.
    public enum Kind {
        /// An advert the peer hears.
        ADVERT,
        /// An advert no peer hears (the link is cut): it fades half-way.
        ADVERT_LOST,
        /// A request that was answered, there and back.
        REQUEST,
        /// A request that failed where it ends.
        REQUEST_FAILED
    }

    /// A place on the topology a motion passes through.
    public sealed interface Place {
        /// The clients, outside the cluster.
        record Clients() implements Place {
        }

        record Director(String name) implements Place {
        }

        record VirtualServer(String id) implements Place {
        }

        /// A real server (by address) of a virtual server.
        record RealServer(String virtualServer, String address) implements Place {
        }
    }

    /// One motion: along `path` from `start` for `duration` (nanoseconds on the clock).
    public record Motion(Kind kind, List<Place> path, long start, long duration) {
        /// How far along its path at `now`, 0 – 1 (past 1: done).
        public double progress(long now) {
            return Math.max(0, (double) (now - start) / duration);
        }
    }

    /// A VIP's marker: at `to`, or on its way there from `from` since `start`; `to` is null while
    /// no director holds the VIP (the marker stays where it was, shown as unheld).
    public record VipMarker(String vip, String from, String to, long start) {
        public double progress(long now) {
            return from == null ? 1 : Math.min(1, Math.max(0, (double) (now - start) / VIP_MOVE.toNanos()));
        }
    }

    private final LongSupplier clock;
    /// Counts changes, so a drawing knows when to draw again while the clock stands still.
    private long version;
    private final Deque<Motion> motions = new ArrayDeque<>();
    private final Map<String, VipMarker> vips = new LinkedHashMap<>();
    /// Each VIP's last holder: where its marker stands while no director holds it.
    private final Map<String, String> lastHolder = new LinkedHashMap<>();

    /// @param clock nanoseconds of the clock motions are timed on (the lab's)
    public MotionViewModel(LongSupplier clock) {
        this.clock = clock;
    }

    /// How many changes so far (a new one: something to draw, even while the clock stands still).
    public long version() {
        return version;
    }

    /// The clock's time now, in nanoseconds.
    public long now() {
        return clock.getAsLong();
    }

    /// `from` sent an advert at `at` (on the clock), to `peers`.
    public void advert(String from, List<String> peers, boolean heard, long at) {
        for (var peer : peers) {
            add(new Motion(heard ? Kind.ADVERT : Kind.ADVERT_LOST,
                    List.of(new Place.Director(from), new Place.Director(peer)), at, ADVERT.toNanos()));
        }
    }

    /// A client's request at `at` through `virtualServer`'s VIP: to `director` (null: none held
    /// it), on to the real server at `realServer` and back the same way (null: it failed there).
    public void request(String director, String virtualServer, String realServer, long at) {
        var path = new ArrayList<Place>();
        path.add(new Place.Clients());
        if (director != null) {
            path.add(new Place.Director(director));
            path.add(new Place.VirtualServer(virtualServer));
            if (realServer != null) {
                // The lab's balancer relays the answer: it comes back the way it went.
                path.add(new Place.RealServer(virtualServer, realServer));
                path.add(new Place.VirtualServer(virtualServer));
                path.add(new Place.Director(director));
                path.add(new Place.Clients());
            }
        }
        add(new Motion(realServer != null ? Kind.REQUEST : Kind.REQUEST_FAILED, List.copyOf(path), at,
                realServer != null ? REQUEST.toNanos() : REQUEST.toNanos() / 2));
    }

    /// `vip` is held by `holder` from `at` on (null: by no director).
    public void vipHolder(String vip, String holder, long at) {
        var was = vips.get(vip);
        if (was == null) {
            vips.put(vip, new VipMarker(vip, null, holder, at));
        } else if (holder == null) {
            vips.put(vip, new VipMarker(vip, null, null, at));
        } else if (!holder.equals(was.to())) {
            // From where the marker stands: the last holder, even after a gap with none.
            var from = was.to() != null ? was.to() : lastHolder.get(vip);
            vips.put(vip, new VipMarker(vip, from, holder, at));
        }
        if (holder != null) {
            lastHolder.put(vip, holder);
        }
        version++;
    }

    /// The director a VIP's marker stands at when no one holds it: the last holder.
    public String lastHolder(String vip) {
        return lastHolder.get(vip);
    }

    /// The motions under way at `now`, oldest first; finished ones are dropped.
    public List<Motion> motions(long now) {
        motions.removeIf(m -> m.progress(now) >= 1);
        return List.copyOf(motions);
    }

    /// Each VIP's marker.
    public List<VipMarker> vips() {
        return List.copyOf(vips.values());
    }

    private void add(Motion m) {
        version++;
        motions.addLast(m);
        while (motions.size() > MAX_MOTIONS) {
            motions.removeFirst();
        }
    }
}
