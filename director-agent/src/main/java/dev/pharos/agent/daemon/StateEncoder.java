package dev.pharos.agent.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.EncodedJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/// Writes `state.get`'s result as JSON bytes, the same bytes Jackson writes for [AgentState],
/// without building the records: what comes from the configuration (ids, addresses, weights,
/// checkers, scheduler…) is encoded once per configuration and kept; each snapshot writes only
/// the live parts (health, effective weights, counters, quorum) between those kept pieces.
///
/// One snapshot at a time (the caller's [dev.pharos.agent.control.SingleFlight] sees to it): the
/// kept pieces are not guarded.
///
/// A snapshot's bytes (megabytes at 10,000 real servers) go into an array used again once every
/// call that shares the snapshot has written it to its client ([Snapshot#all()], [Snapshot#only]
/// and [EncodedJson#written()]): allocated anew for each snapshot, the array was alive in
/// most young collections (being built or written), was copied to the survivor space or, too large
/// for it, promoted, and filled the old generation until a full collection every few seconds, the
/// tail of `state.get`'s latency (bench/control). Reused, it lives in the old generation and is
/// never copied. A call that never writes its result (the client went away) leaves the array to
/// the collector; nothing is reused while a call may still write it.
final class StateEncoder {

    /// Arrays kept for the next snapshots: one being written while the next is built, and one more.
    private static final int SPARE_ARRAYS = 2;

    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] COMMA = ascii(",");
    private static final byte[] TAIL = ascii("]}");
    private static final Map<String, byte[]> WORDS = words("up", "down", "unchecked", "unknown", "kernel",
            "userspace", "proxied", "none");
    private static final byte[] NO_TRAFFIC = json(AgentState.Traffic.NONE);

    /// The configuration the kept pieces were made from (compared by identity: a new model is a
    /// new object) and the pieces, one per virtual server in its order.
    private KeepalivedConfig keptFor;
    private List<ServerPieces> kept = List.of();
    private int lastSize = 1 << 16;
    /// Arrays whose snapshots every sharer has written: filled and emptied from any thread.
    private final ConcurrentLinkedQueue<byte[]> spare = new ConcurrentLinkedQueue<>();

    /// One snapshot's JSON, with where each virtual server's object lies in it (for filtering).
    /// Each of the calls that share it takes one result ([#all()] or [#only]) or, answering with
    /// an error instead, [#release()]s it.
    ///
    /// @param json     the whole result in its first `length` bytes
    /// @param head     bytes before the first virtual server (up to `"virtualServers":[`)
    /// @param servers  each virtual server's `[start, end)` in `json`, by id, in configuration order
    /// @param sharers  the calls that have not written or released it yet
    /// @param spare    where `json` goes when the last of them has
    record Snapshot(byte[] json, int length, int head, Map<String, int[]> servers, AtomicInteger sharers,
            Queue<byte[]> spare) {

        /// A snapshot no call shares (tests): its array is never reused.
        Snapshot(byte[] json, int length, int head, Map<String, int[]> servers) {
            this(json, length, head, servers, new AtomicInteger(-1), new ConcurrentLinkedQueue<>());
        }

        /// The whole result, shared as it is.
        EncodedJson all() {
            return new EncodedJson(List.of(new EncodedJson.Slice(json, 0, length)), this::release);
        }

        /// One sharer is done with the array: the last one hands it to the next snapshots.
        void release() {
            if (sharers.decrementAndGet() == 0 && spare.size() < SPARE_ARRAYS) {
                spare.add(json);
            }
        }

        /// The result with only `ids` among the virtual servers (in configuration order), the
        /// rest shared as it is. The ids must be known ([#servers]).
        EncodedJson only(List<String> ids) {
            var wanted = new HashSet<>(ids);
            var parts = new ArrayList<EncodedJson.Slice>();
            parts.add(new EncodedJson.Slice(json, 0, head));
            boolean first = true;
            for (var e : servers.entrySet()) {
                if (wanted.contains(e.getKey())) {
                    if (!first) {
                        parts.add(EncodedJson.Slice.of(COMMA));
                    }
                    first = false;
                    var r = e.getValue();
                    parts.add(new EncodedJson.Slice(json, r[0], r[1] - r[0]));
                }
            }
            parts.add(EncodedJson.Slice.of(TAIL));
            return new EncodedJson(parts, this::release);
        }
    }

    /// Encodes one snapshot.
    ///
    /// @param top     the snapshot without virtual servers (revision, time, VRRP…)
    /// @param config  the configuration the virtual servers come from
    /// @param vsViews each virtual server's live view by id; a missing one is not served
    /// @param rsViews each real server's live view by virtual server id and real server id
    Snapshot encode(AgentState top, KeepalivedConfig config, Map<String, Services.VirtualServerView> vsViews,
            Map<String, Map<String, Services.RealServerView>> rsViews) {
        return encode(top, config, vsViews, rsViews, 0);
    }

    /// Encodes one snapshot that `sharers` calls will each take once (0: its array is never reused).
    Snapshot encode(AgentState top, KeepalivedConfig config, Map<String, Services.VirtualServerView> vsViews,
            Map<String, Map<String, Services.RealServerView>> rsViews, int sharers) {
        if (config != keptFor) {
            kept = config.virtualServers().stream().map(StateEncoder::pieces).toList();
            keptFor = config;
        }
        var out = new Buffer(array(lastSize));
        byte[] topJson;
        try {
            topJson = JsonRpc.mapper().writeValueAsBytes(top);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the protocol's records always serialise", e);
        }
        // `…,"virtualServers":[]}` without its last two bytes is the head the servers follow.
        int head = topJson.length - TAIL.length;
        out.raw(topJson, head);
        var servers = new LinkedHashMap<String, int[]>();
        for (int i = 0; i < kept.size(); i++) {
            if (i > 0) {
                out.raw(COMMA);
            }
            var p = kept.get(i);
            int start = out.size;
            server(out, p, vsViews.get(p.id()), rsViews.getOrDefault(p.id(), Map.of()));
            servers.put(p.id(), new int[] {start, out.size});
        }
        out.raw(TAIL);
        lastSize = out.size;
        // The buffer itself, not a copy: three megabytes less to allocate and collect per snapshot.
        return new Snapshot(out.bytes, out.size, head, servers, new AtomicInteger(sharers > 0 ? sharers : -1), spare);
    }

    /// A spare array with room for a snapshot of about `size` bytes, or a new one with 1/16 more.
    /// A spare is taken with 1/64 to spare: snapshots differ by a few bytes (counters, times), and
    /// asking each time for the last size plus 1/16 would drop every spare made for a snapshot a
    /// few bytes smaller than this one. A spare too small for that is dropped (the table grew).
    private byte[] array(int size) {
        for (var a = spare.poll(); a != null; a = spare.poll()) {
            if (a.length >= size + (size >> 6)) {
                return a;
            }
        }
        return new byte[size + (size >> 4)];
    }

    /// What the configuration says of one virtual server, encoded, around the gaps for live values.
    private record ServerPieces(String id, byte[] beforeServedAs, byte[] beforeQuorumUp, byte[] beforeRealServers,
            List<RealPieces> realServers) {
    }

    /// One real server's encoded pieces, and its `healthSince` as last encoded (it changes only
    /// with its health, and formatting an instant costs more than the rest of the server).
    private static final class RealPieces {
        final String id;
        final byte[] beforeEffectiveWeight;
        final byte[] beforeTraffic;
        /// Whether it has a checker (one without is `unchecked`, whatever the table says).
        final boolean checked;
        Instant since;
        byte[] sinceJson;

        RealPieces(String id, byte[] beforeEffectiveWeight, byte[] beforeTraffic, boolean checked) {
            this.id = id;
            this.beforeEffectiveWeight = beforeEffectiveWeight;
            this.beforeTraffic = beforeTraffic;
            this.checked = checked;
        }

        byte[] since(Instant t) {
            if (!t.equals(since)) {
                since = t;
                sinceJson = new Buffer(40).string(t.toString()).bytes();
            }
            return sinceJson;
        }
    }

    private static ServerPieces pieces(VirtualServerDef vs) {
        String address = null;
        Integer port = null;
        Long fwmark = null;
        String group = null;
        switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> {
                address = Addresses.text(a.address());
                port = a.port();
            }
            case VirtualServerDef.Key.Fwmark f -> fwmark = f.mark();
            case VirtualServerDef.Key.Group g -> group = g.name();
        }
        var id = vs.id();
        var a = new Buffer(256);
        a.ascii("{\"id\":").string(id);
        a.ascii(",\"protocol\":").string(vs.key() instanceof VirtualServerDef.Key.Fwmark ? null
                : vs.effectiveProtocol().name());
        a.ascii(",\"address\":").string(address);
        a.ascii(",\"port\":").number(port);
        a.ascii(",\"fwmark\":").number(fwmark);
        a.ascii(",\"group\":").string(group);
        a.ascii(",\"scheduler\":").string(vs.lbAlgo() == null ? "wlc" : vs.lbAlgo());
        a.ascii(",\"kind\":").string((vs.lbKind() == null ? VirtualServerDef.LbKind.NAT : vs.lbKind()).name());
        a.ascii(",\"servedAs\":");
        var b = new Buffer(64);
        b.ascii(",\"persistenceSeconds\":").number(vs.persistenceTimeout() == null ? 0
                : vs.persistenceTimeout().toSeconds());
        b.ascii(",\"quorum\":").number(vs.quorum() == null ? 1 : vs.quorum());
        b.ascii(",\"quorumUp\":");
        var c = new Buffer(64);
        c.ascii(",\"sorryServer\":").string(vs.sorryServer() == null ? null
                : Addresses.text(vs.sorryServer().address()) + ":" + vs.sorryServer().port());
        c.ascii(",\"realServers\":[");
        var real = new ArrayList<RealPieces>(vs.realServers().size());
        for (var rs : vs.realServers()) {
            var checkers = rs.checkers().stream().map(AgentControl::checkerName).toList();
            var rsId = rs.id();
            var ra = new Buffer(128);
            ra.ascii("{\"id\":").string(rsId);
            ra.ascii(",\"address\":").string(Addresses.text(rs.address()));
            ra.ascii(",\"port\":").number(rs.port());
            ra.ascii(",\"weight\":").number(rs.weight() == null ? 1 : rs.weight());
            ra.ascii(",\"effectiveWeight\":");
            var rb = new Buffer(64);
            rb.ascii(",\"checkers\":[");
            for (int k = 0; k < checkers.size(); k++) {
                if (k > 0) {
                    rb.raw(COMMA);
                }
                rb.string(checkers.get(k));
            }
            rb.ascii("],\"traffic\":");
            real.add(new RealPieces(rsId, ra.bytes(), rb.bytes(), !checkers.isEmpty()));
        }
        return new ServerPieces(id, a.bytes(), b.bytes(), c.bytes(), real);
    }

    private static void server(Buffer out, ServerPieces p, Services.VirtualServerView view,
            Map<String, Services.RealServerView> rsViews) {
        out.raw(p.beforeServedAs());
        out.word(view == null ? "none" : view.servedAs());
        out.ascii(",\"servedReason\":").string(view == null ? "the service table is not running" : view.servedReason());
        out.raw(p.beforeQuorumUp());
        out.raw(view == null || view.quorumUp() ? TRUE : FALSE);
        out.raw(p.beforeRealServers());
        var real = p.realServers();
        // The views come in configuration order too: walk them alongside, and look one up only
        // where the two differ (an edit between the configuration read and the views read).
        var views = rsViews.entrySet().iterator();
        Map.Entry<String, Services.RealServerView> ahead = null;
        for (int i = 0; i < real.size(); i++) {
            if (i > 0) {
                out.raw(COMMA);
            }
            var r = real.get(i);
            if (ahead == null && views.hasNext()) {
                ahead = views.next();
            }
            Services.RealServerView v;
            if (ahead != null && ahead.getKey().equals(r.id)) {
                v = ahead.getValue();
                ahead = null;
            } else {
                v = rsViews.get(r.id);
            }
            out.raw(r.beforeEffectiveWeight);
            if (v == null) {
                out.number(-1);
                out.ascii(",\"health\":").word(r.checked ? "unknown" : "unchecked");
                out.ascii(",\"healthReason\":null,\"healthSince\":null");
            } else {
                out.number(v.effectiveWeight());
                out.ascii(",\"health\":").word(r.checked ? v.health() : "unchecked");
                out.ascii(",\"healthReason\":").string(v.reason());
                out.ascii(",\"healthSince\":").raw(v.since() == null ? NULL : r.since(v.since()));
            }
            out.raw(r.beforeTraffic);
            traffic(out, v == null ? AgentState.Traffic.NONE : v.traffic());
            out.ascii("}");
        }
        out.ascii("],\"connectionCap\":").number(view == null ? null : view.connectionCap());
        out.ascii(",\"refusedConnections\":").number(view == null ? null : view.refusedConnections());
        out.ascii("}");
    }

    private static void traffic(Buffer out, AgentState.Traffic t) {
        if (t.equals(AgentState.Traffic.NONE)) {
            out.raw(NO_TRAFFIC);
            return;
        }
        out.ascii("{\"activeConnections\":").number(t.activeConnections());
        out.ascii(",\"inactiveConnections\":").number(t.inactiveConnections());
        out.ascii(",\"connections\":").number(t.connections());
        out.ascii(",\"bytesIn\":").number(t.bytesIn());
        out.ascii(",\"bytesOut\":").number(t.bytesOut());
        out.ascii(",\"connectionsPerSecond\":").number(t.connectionsPerSecond());
        out.ascii(",\"bytesInPerSecond\":").number(t.bytesInPerSecond());
        out.ascii(",\"bytesOutPerSecond\":").number(t.bytesOutPerSecond());
        out.ascii("}");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, byte[]> words(String... words) {
        var m = new HashMap<String, byte[]>();
        for (var w : words) {
            m.put(w, ascii("\"" + w + "\""));
        }
        return Map.copyOf(m);
    }

    private static byte[] json(Object value) {
        try {
            return JsonRpc.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the protocol's records always serialise", e);
        }
    }

    /// A growing byte array with JSON's scalars, written as Jackson writes them (strings escaped
    /// by Jackson's own encoder, numbers in Java's decimal form, instants in ISO-8601).
    private static final class Buffer {
        private byte[] bytes;
        private int size;

        Buffer(int capacity) {
            this(new byte[capacity]);
        }

        /// Writes into `bytes` from its start (its old content is overwritten).
        Buffer(byte[] bytes) {
            this.bytes = bytes;
        }

        Buffer raw(byte[] b) {
            return raw(b, b.length);
        }

        Buffer raw(byte[] b, int length) {
            room(length);
            System.arraycopy(b, 0, bytes, size, length);
            size += length;
            return this;
        }

        /// A constant of the code (field names and punctuation): ASCII, nothing to escape.
        Buffer ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
            return this;
        }

        Buffer string(String s) {
            if (s == null) {
                return raw(NULL);
            }
            room(1);
            bytes[size++] = '"';
            raw(STRINGS.quoteAsUTF8(s));
            room(1);
            bytes[size++] = '"';
            return this;
        }

        /// A string that is usually one of a few words, kept encoded.
        Buffer word(String s) {
            var w = s == null ? null : WORDS.get(s);
            return w != null ? raw(w) : string(s);
        }

        Buffer number(Number n) {
            if (n == null) {
                return raw(NULL);
            }
            return number(n.longValue());
        }

        Buffer number(long n) {
            if (n >= 0 && n < 10) {
                room(1);
                bytes[size++] = (byte) ('0' + n);
                return this;
            }
            return ascii(Long.toString(n));
        }

        Buffer number(double d) {
            if (d == 0.0 && Double.doubleToRawLongBits(d) == 0) {
                return ascii("0.0");
            }
            // Jackson quotes what JSON cannot write as a number (NaN, ±Infinity).
            return Double.isFinite(d) ? ascii(Double.toString(d)) : string(Double.toString(d));
        }

        private void room(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
