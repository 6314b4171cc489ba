package dev.pharos.console.adopt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/// keepalived's own view of its VRRP instances, from the dump it writes when signalled: the JSON
/// file (`keepalived.json`, on the JSON signal, where keepalived was built with `--enable-json`),
/// else the data file (`keepalived.data`, on SIGUSR1). Only what the console shows is kept;
/// authentication data, which both dumps carry, is never read.
public record KeepalivedDump(List<Instance> instances) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public KeepalivedDump {
        instances = List.copyOf(instances);
    }

    /// One VRRP instance as keepalived reports it.
    ///
    /// @param state              `INIT`, `BACKUP`, `MASTER`, `FAULT` or `STOPPED`
    /// @param advertIntervalMillis `advert_int`, in milliseconds
    /// @param lastTransition     when it last changed state, or null when not reported
    /// @param virtualAddresses   as keepalived prints them (`192.0.2.100/32 dev eth0 …` in the data
    ///                           file, `192.0.2.100` in JSON): the address is the first word
    /// @param counters           its statistics (JSON only), by keepalived's names (`advert_rcvd`…)
    public record Instance(String name, int vrid, String state, int basePriority, int effectivePriority,
            long advertIntervalMillis, Instant lastTransition, String interfaceName, List<String> virtualAddresses,
            Map<String, Long> counters) {
        public Instance {
            virtualAddresses = List.copyOf(virtualAddresses);
            counters = Map.copyOf(counters);
        }
    }

    /// keepalived's state numbers (`vrrp.h`: `VRRP_STATE_INIT` 0 … `VRRP_STATE_STOP` 98).
    static String stateName(int n) {
        return switch (n) {
            case 0 -> "INIT";
            case 1 -> "BACKUP";
            case 2 -> "MASTER";
            case 3 -> "FAULT";
            case 97, 98 -> "STOPPED";
            default -> "UNKNOWN";
        };
    }

    /// Parses `keepalived.json` (an array of `{"data": {…}, "stats": {…}}`).
    public static KeepalivedDump parseJson(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("keepalived.json is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("keepalived.json holds no list of instances");
        }
        var out = new ArrayList<Instance>();
        for (var entry : root) {
            var d = entry.path("data");
            var name = d.path("iname").asText(null);
            if (name == null || !d.path("vrid").isNumber() || !d.path("state").isNumber()) {
                throw new IllegalArgumentException("keepalived.json: an instance without iname, vrid or state");
            }
            var vips = new ArrayList<String>();
            d.path("vips").forEach(v -> vips.add(v.asText()));
            var counters = new LinkedHashMap<String, Long>();
            entry.path("stats").fields().forEachRemaining(f -> counters.put(f.getKey(), f.getValue().asLong()));
            var last = d.path("last_transition");
            out.add(new Instance(name, d.path("vrid").asInt(), stateName(d.path("state").asInt()),
                    d.path("base_priority").asInt(), d.path("effective_priority").asInt(),
                    Math.round(d.path("adver_int").asDouble(1) * 1000),
                    last.isNumber() && last.asDouble() > 0 ? seconds(last.decimalValue()) : null,
                    d.path("ifp_ifname").asText(null), vips, counters));
        }
        return new KeepalivedDump(out);
    }

    /// Parses the VRRP part of `keepalived.data` (` VRRP Instance = VI_1` and the lines under it).
    public static KeepalivedDump parseData(String text) {
        var out = new ArrayList<Instance>();
        Builder b = null;
        boolean inVips = false;
        int n = 0;
        for (var line : text.split("\n", -1)) {
            n++;
            if (line.startsWith(" VRRP Instance = ")) {
                if (b != null) {
                    out.add(b.build(n));
                }
                b = new Builder(line.substring(" VRRP Instance = ".length()).strip());
                inVips = false;
                continue;
            }
            if (b == null) {
                continue;
            }
            if (!line.startsWith("   ")) {
                // the end of the instance's block (a new section of the dump)
                out.add(b.build(n));
                b = null;
                continue;
            }
            if (line.startsWith("     ") && inVips) {
                b.vips.add(line.strip());
                continue;
            }
            inVips = line.startsWith("   Virtual IP (");
            var t = line.strip();
            int eq = t.indexOf(" = ");
            if (eq < 0) {
                continue;
            }
            var key = t.substring(0, eq);
            var value = t.substring(eq + 3).strip();
            try {
                switch (key) {
                    case "State" -> b.state = value;
                    case "Virtual Router ID" -> b.vrid = Integer.parseInt(value);
                    case "Priority" -> b.base = Integer.parseInt(value);
                    case "Effective priority" -> b.effective = Integer.parseInt(value);
                    case "Interface" -> b.ifname = value.split("[ ,]")[0];
                    case "Advert interval" -> b.advertMillis = interval(value);
                    case "Last transition" -> b.last = seconds(new BigDecimal(value.split(" ")[0]));
                    default -> {
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("keepalived.data line " + n + ": " + key + " is not a number: "
                        + value);
            }
        }
        if (b != null) {
            out.add(b.build(n));
        }
        return new KeepalivedDump(out);
    }

    /// `1 sec` or `500 milli-sec` (how `dump_vrrp` prints `advert_int`).
    private static long interval(String value) {
        var parts = value.split(" ");
        long v = Long.parseLong(parts[0]);
        return parts.length > 1 && parts[1].startsWith("milli") ? v : v * 1000;
    }

    private static Instant seconds(BigDecimal s) {
        var whole = s.longValue();
        var nanos = s.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(whole, nanos);
    }

    private static final class Builder {
        final String name;
        String state;
        Integer vrid;
        int base;
        Integer effective;
        String ifname;
        long advertMillis = 1000;
        Instant last;
        final List<String> vips = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        Instance build(int line) {
            if (state == null || vrid == null) {
                throw new IllegalArgumentException("keepalived.data: instance " + name + " (ending at line " + line
                        + ") has no State or Virtual Router ID");
            }
            var s = state.toUpperCase(Locale.ROOT);
            // get_state_str's names for the internal states
            s = s.equals("STOP") || s.equals("DELETED") ? "STOPPED" : s;
            return new Instance(name, vrid, s, base,
                    effective == null ? base : effective, advertMillis, last, ifname, vips, Map.of());
        }
    }
}
