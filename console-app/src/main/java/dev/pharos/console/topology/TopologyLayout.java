package dev.pharos.console.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.Point2D;

/// Where things go, as a pure function of what there is: directors in a row on top, virtual
/// servers in columns below (sorted by id, so positions are stable as the cluster changes), each
/// column's real servers stacked under it; then moved where the operator put them ([#moved]).
/// Units are pixels at zoom 1.
final class TopologyLayout {

    static final double DIRECTOR_W = 220;
    /// A director card's height without its instances (title, and a status of up to two lines)…
    static final double DIRECTOR_H = 70;
    /// …and for each instance: its role line and its VRID and VIPs. Room for two at least, so a
    /// director that has not reported its instances yet keeps its size.
    static final double INSTANCE_H = 34;
    static final double VS_W = 200;
    static final double VS_H = 64;
    static final double RS_W = 196;
    static final double RS_H = 48;
    static final double GAP = 28;
    static final double MARGIN = 24;

    record Box(double x, double y, double w, double h) {
        double centerX() {
            return x + w / 2;
        }

        double bottom() {
            return y + h;
        }
    }

    record Result(Map<String, Box> directors, Map<String, Box> virtualServers, Map<String, Box> realServers,
            double width, double height) {
    }

    /// @param instances      the most VRRP instances a director has (its card is that tall)
    /// @param virtualServers virtual server id → its real server ids, in display order
    static Result compute(List<String> directors, int instances, Map<String, List<String>> virtualServers) {
        double directorH = DIRECTOR_H + INSTANCE_H * Math.max(2, instances);
        var d = new LinkedHashMap<String, Box>();
        var v = new LinkedHashMap<String, Box>();
        var r = new LinkedHashMap<String, Box>();
        var ids = new ArrayList<>(virtualServers.keySet());
        ids.sort(String::compareTo);
        double columns = Math.max(1, ids.size());
        double width = Math.max(MARGIN * 2 + columns * VS_W + (columns - 1) * GAP,
                MARGIN * 2 + directors.size() * DIRECTOR_W + Math.max(0, directors.size() - 1) * GAP);
        double dRow = directors.size() * DIRECTOR_W + Math.max(0, directors.size() - 1) * GAP;
        double x = (width - dRow) / 2;
        for (var name : directors) {
            d.put(name, new Box(x, MARGIN, DIRECTOR_W, directorH));
            x += DIRECTOR_W + GAP;
        }
        double vsY = MARGIN + directorH + GAP * 3;
        double vRow = ids.size() * VS_W + Math.max(0, ids.size() - 1) * GAP;
        x = (width - vRow) / 2;
        double height = vsY + VS_H + MARGIN;
        for (var id : ids) {
            v.put(id, new Box(x, vsY, VS_W, VS_H));
            double y = vsY + VS_H + GAP * 1.5;
            for (var rs : virtualServers.get(id)) {
                r.put(id + "|" + rs, new Box(x + (VS_W - RS_W) / 2, y, RS_W, RS_H));
                y += RS_H + GAP / 2;
            }
            height = Math.max(height, y + MARGIN);
            x += VS_W + GAP;
        }
        return new Result(d, v, r, width, height);
    }

    /// `auto` with the operator's `offsets` applied, by `director NAME` or `vs ID`: a virtual
    /// server's real servers move with it.
    static Result moved(Result auto, Map<String, Point2D> offsets) {
        if (offsets.isEmpty()) {
            return auto;
        }
        var d = new LinkedHashMap<String, Box>();
        auto.directors().forEach((name, b) -> d.put(name, shifted(b, offsets.get("director " + name))));
        var v = new LinkedHashMap<String, Box>();
        auto.virtualServers().forEach((id, b) -> v.put(id, shifted(b, offsets.get("vs " + id))));
        var r = new LinkedHashMap<String, Box>();
        auto.realServers().forEach((key, b) -> r.put(key, shifted(b, offsets.get("vs " + key.substring(0, key.indexOf('|'))))));
        return new Result(d, v, r, auto.width(), auto.height());
    }

    private static Box shifted(Box b, Point2D offset) {
        return offset == null ? b : new Box(b.x() + offset.getX(), b.y() + offset.getY(), b.w(), b.h());
    }

    private TopologyLayout() {
    }
}
