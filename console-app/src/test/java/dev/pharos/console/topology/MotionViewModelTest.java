package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.topology.MotionViewModel.Kind;
import dev.pharos.console.topology.MotionViewModel.Place;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/// What moves, on a hand-driven clock: motions end after their time on the clock (not the wall's),
/// a VIP's marker travels from its last holder, even across a moment with none, and the number of
/// motions drawn at once is bounded.
class MotionViewModelTest {

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final MotionViewModel model = new MotionViewModel(clock::get);

    @Test
    void motionsLastTheirTimeOnTheClock() {
        model.advert("lvs-master", List.of("lvs-backup"), true, clock.get());
        model.request("lvs-master", "tcp/192.0.2.100:80", "198.51.100.66", clock.get());
        model.request(null, "tcp/192.0.2.100:80", null, clock.get());
        var motions = model.motions(clock.get());
        assertThat(motions).extracting(MotionViewModel.Motion::kind)
                .containsExactly(Kind.ADVERT, Kind.REQUEST, Kind.REQUEST_FAILED);
        assertThat(motions.get(1).path()).containsExactly(new Place.Clients(), new Place.Director("lvs-master"),
                new Place.VirtualServer("tcp/192.0.2.100:80"), new Place.RealServer("tcp/192.0.2.100:80", "198.51.100.66"),
                new Place.VirtualServer("tcp/192.0.2.100:80"), new Place.Director("lvs-master"), new Place.Clients());
        // The clock stands still: nothing ends, however long the wall clock runs.
        assertThat(model.motions(clock.get())).hasSize(3);
        clock.addAndGet(MotionViewModel.ADVERT.toNanos());
        assertThat(model.motions(clock.get())).extracting(MotionViewModel.Motion::kind)
                .containsExactly(Kind.REQUEST, Kind.REQUEST_FAILED);
        clock.addAndGet(MotionViewModel.REQUEST.toNanos());
        assertThat(model.motions(clock.get())).isEmpty();

        for (int i = 0; i < 3 * MotionViewModel.MAX_MOTIONS; i++) {
            model.advert("lvs-master", List.of("lvs-backup"), false, clock.get());
        }
        assertThat(model.motions(clock.get())).hasSize(MotionViewModel.MAX_MOTIONS)
                .allSatisfy(m -> assertThat(m.kind()).isEqualTo(Kind.ADVERT_LOST));
    }

    @Test
    void aVipMarkerTravelsFromItsLastHolder() {
        model.vipHolder("192.0.2.100", "lvs-master", clock.get());
        assertThat(model.vips().getFirst().progress(clock.get())).isEqualTo(1);
        long before = model.version();
        model.vipHolder("192.0.2.100", null, clock.get()); // the crash: nobody holds it
        assertThat(model.vips().getFirst().to()).isNull();
        assertThat(model.lastHolder("192.0.2.100")).isEqualTo("lvs-master");
        clock.addAndGet(3_000_000_000L);
        model.vipHolder("192.0.2.100", "lvs-backup", clock.get());
        var marker = model.vips().getFirst();
        assertThat(marker.from()).isEqualTo("lvs-master");
        assertThat(marker.to()).isEqualTo("lvs-backup");
        assertThat(marker.progress(clock.get())).isZero();
        clock.addAndGet(MotionViewModel.VIP_MOVE.toNanos() / 2);
        assertThat(marker.progress(clock.get())).isEqualTo(0.5);
        clock.addAndGet(MotionViewModel.VIP_MOVE.toNanos());
        assertThat(marker.progress(clock.get())).isEqualTo(1);
        assertThat(model.version()).isGreaterThan(before);
    }
}
