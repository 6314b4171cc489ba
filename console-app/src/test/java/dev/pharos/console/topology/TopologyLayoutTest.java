package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyLayoutTest {

    @Test
    void boxesNeverOverlap() {
        var vs = new LinkedHashMap<String, List<String>>();
        vs.put("tcp/192.0.2.100:80", List.of("198.51.100.11:80", "198.51.100.12:80", "198.51.100.20:80"));
        vs.put("tcp/192.0.2.100:443", List.of("198.51.100.11:443"));
        vs.put("udp/192.0.2.101:53", List.of());
        var r = TopologyLayout.compute(List.of("lvs-master", "lvs-backup"), 2, vs);
        var boxes = new ArrayList<TopologyLayout.Box>();
        boxes.addAll(r.directors().values());
        boxes.addAll(r.virtualServers().values());
        boxes.addAll(r.realServers().values());
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                var a = boxes.get(i);
                var b = boxes.get(j);
                boolean overlap = a.x() < b.x() + b.w() && b.x() < a.x() + a.w() && a.y() < b.y() + b.h() && b.y() < a.y() + a.h();
                assertThat(overlap).as("%s and %s overlap", a, b).isFalse();
            }
        }
        boxes.forEach(b -> assertThat(b.x() + b.w()).isLessThanOrEqualTo(r.width()));
        boxes.forEach(b -> assertThat(b.y() + b.h()).isLessThanOrEqualTo(r.height()));
    }

    /// A card lists each instance with its VRID and VIPs: four instances make it taller, and the
    /// virtual servers move down with it rather than under it.
    @Test
    void directorCardsGrowWithTheirInstances() {
        var vs = Map.of("tcp/192.0.2.100:80", List.of("198.51.100.11:80"));
        var two = TopologyLayout.compute(List.of("d"), 2, vs);
        var four = TopologyLayout.compute(List.of("d"), 4, vs);
        assertThat(TopologyLayout.compute(List.of("d"), 0, vs)).as("room for two at least").isEqualTo(two);
        var grown = four.directors().get("d").h() - two.directors().get("d").h();
        assertThat(grown).isEqualTo(2 * TopologyLayout.INSTANCE_H);
        assertThat(four.virtualServers().get("tcp/192.0.2.100:80").y() - two.virtualServers().get("tcp/192.0.2.100:80").y())
                .isEqualTo(grown);
    }

    @Test
    void positionsAreStableWhatEverTheOrder() {
        Map<String, List<String>> one = new LinkedHashMap<>();
        one.put("b", List.of("x"));
        one.put("a", List.of("y"));
        Map<String, List<String>> two = new LinkedHashMap<>();
        two.put("a", List.of("y"));
        two.put("b", List.of("x"));
        assertThat(TopologyLayout.compute(List.of("d"), 2, one)).isEqualTo(TopologyLayout.compute(List.of("d"), 2, two));
    }
}
