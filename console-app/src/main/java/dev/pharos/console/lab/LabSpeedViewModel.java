package dev.pharos.console.lab;

import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/// How fast the lab's world runs: its directors' VRRP timers, its clients and the motion drawn on
/// the topology all follow the lab's one clock, which the trainer slows to half or a quarter of
/// the wall clock's speed or stops, to talk a class through a failover. Figures on the lab's
/// clock (Master_Down_Interval, an outage) stay the protocol's at every speed.
/// Commands and properties belong to the FX thread.
public final class LabSpeedViewModel {

    /// The speeds a trainer can pick.
    public enum Speed {
        NORMAL(1), HALF(0.5), QUARTER(0.25), STOPPED(0);

        private final double factor;

        Speed(double factor) {
            this.factor = factor;
        }

        /// Lab seconds per wall-clock second.
        public double factor() {
            return factor;
        }

        /// As the control names it: `1×`, `0.5×`, `0.25×`, `Stop`.
        public String label() {
            return this == STOPPED ? "Stop" : String.format(Locale.ROOT, "%s×", factor == 1 ? "1" : factor);
        }

        /// The speed nearest `factor` (the lab's clock takes any speed from 0 to 1).
        static Speed of(double factor) {
            var nearest = NORMAL;
            for (var s : values()) {
                if (Math.abs(s.factor - factor) < Math.abs(nearest.factor - factor)) {
                    nearest = s;
                }
            }
            return nearest;
        }
    }

    private final LabSession session;
    private final ReadOnlyObjectWrapper<Speed> speed;
    private final ReadOnlyStringWrapper description = new ReadOnlyStringWrapper();

    /// Call on the FX thread; `fx` runs on it (a speed set elsewhere is heard on any thread).
    public LabSpeedViewModel(LabSession session, Consumer<Runnable> fx) {
        this.session = session;
        this.speed = new ReadOnlyObjectWrapper<>(Speed.of(session.lab().stepGate().speed()));
        speed.addListener((o, was, now) -> describe());
        describe();
        session.lab().stepGate().onSpeed(value -> fx.accept(() -> speed.set(Speed.of(value))));
    }

    /// The speed the lab runs at now.
    public ReadOnlyObjectProperty<Speed> speedProperty() {
        return speed.getReadOnlyProperty();
    }

    /// What the speed means for the class, in a sentence.
    public ReadOnlyStringProperty descriptionProperty() {
        return description.getReadOnlyProperty();
    }

    /// Runs the lab at `value` from now: timers keep their time on the lab's clock.
    public void speed(Speed value) {
        session.lab().stepGate().speed(value.factor());
        speed.set(value);
    }

    private void describe() {
        description.set(switch (speed.get()) {
            case NORMAL -> "The lab runs in real time.";
            case HALF -> "Slow motion: each second of the lab takes 2 s; its timers and figures stay the protocol's.";
            case QUARTER -> "Slow motion: each second of the lab takes 4 s; its timers and figures stay the protocol's.";
            case STOPPED -> "The lab stands still: timers keep what they have left, adverts and clients wait.";
        });
    }
}
