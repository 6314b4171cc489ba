package dev.pharos.agent.config;

/// The lines inside an instance's or sync group's list blocks whose words after the first carry
/// options: `unicast_peer` and the track lines, read as keepalived 2.2.7 reads them.
final class InstanceLines {

    private final Values values;

    InstanceLines(Values values) {
        this.values = values;
    }

    /// A `unicast_peer` line as vrrp_data.c `alloc_vrrp_unicast_peer` reads it: the address, then
    /// `min_ttl N` and `max_ttl N` pairs (0–255); an unknown option, a missing or bad value and a
    /// minimum above the maximum are reported by keepalived, and refused here.
    VrrpInstanceDef.UnicastPeer unicastPeer(Node line, String where) {
        var address = values.address(line.keyword(), "unicast_peer");
        Integer min = null;
        Integer max = null;
        var args = line.args();
        for (int i = 0; i < args.size(); i += 2) {
            var option = args.get(i);
            if (i + 1 >= args.size()) {
                values.error(option.position(), "unicast_peer option " + option.text() + " is missing a value");
                break;
            }
            if (!option.isWord("min_ttl") && !option.isWord("max_ttl")) {
                values.error(option.position(), "unknown unicast_peer option '" + option.text()
                        + "': keepalived 2.2.7 reads min_ttl and max_ttl");
                break;
            }
            var ttl = values.integer(args.get(i + 1), option.text(), 0, 255);
            if (option.isWord("min_ttl")) {
                min = ttl;
            } else {
                max = ttl;
            }
        }
        if (min != null && max != null && min > max) {
            values.error(line.position(), "unicast_peer in " + where + ": min_ttl " + min + " is above max_ttl " + max
                    + ", so every advert would be discarded");
        }
        if (min != null || max != null) {
            values.warning(line.position(), "unicast_peer min_ttl/max_ttl in " + where + " is kept but has no effect:"
                    + " Pharos does not check the TTL of received adverts yet");
        }
        return address == null ? null : new VrrpInstanceDef.UnicastPeer(address, min, max);
    }

    /// The options of a track line: `NAME [weight N [reverse]]`, and for a script also
    /// `noreverse` (vrrp_track.c `alloc_track_script`; `alloc_track_if` knows only `reverse`).
    ///
    /// @param reverse null when the line says neither (a script's own `weight … reverse` applies)
    record TrackOptions(Integer weight, Boolean reverse) {
    }

    TrackOptions trackOptions(Node line, boolean script) {
        var args = line.args();
        if (args.isEmpty()) {
            return new TrackOptions(null, null);
        }
        if (args.size() >= 2 && args.getFirst().isWord("weight")) {
            Boolean reverse = null;
            if (args.size() > 2) {
                var option = args.get(2);
                if (option.isWord("reverse")) {
                    reverse = true;
                } else if (script && option.isWord("noreverse")) {
                    reverse = false;
                } else {
                    values.error(option.position(), "unexpected '" + option.text() + "' after the weight: "
                            + (script ? "reverse or noreverse" : "only reverse") + " may follow it here");
                }
            }
            var w = args.get(1);
            // alloc_track_if, alloc_track_script: ±254 was allowed once, and is now reported and made ±253
            if (w.text().equals("254") || w.text().equals("-254")) {
                values.error(w.position(), "weight " + w.text() + " is outside -253–253 (keepalived reports it and"
                        + " uses " + w.text().replace("254", "253") + ")");
                return new TrackOptions(null, null);
            }
            var weight = values.integer(w, "weight", -253, 253);
            return new TrackOptions(weight, weight == null ? null : reverse);
        }
        values.error(args.getFirst().position(), "expected 'weight N' after " + line.name() + ", not '"
                + args.getFirst().text() + "'");
        return new TrackOptions(null, null);
    }
}
