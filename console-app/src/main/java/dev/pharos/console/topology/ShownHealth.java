package dev.pharos.console.topology;

import dev.pharos.console.model.Health;
import dev.pharos.console.model.RealServerModel;
import java.util.List;
import java.util.Locale;

/// A real server's health as the topology draws it. Over the directors of a pair the one that
/// comes last in this order is shown: a server down on one director is down. Its values are the
/// model's [Health], ordered for that.
public enum ShownHealth {
    /// No director has said (or only in words the console does not know).
    UNKNOWN,
    /// In service without a health check.
    UNCHECKED,
    /// Its checks pass.
    UP,
    /// Its checks fail on at least one director.
    DOWN;

    /// The health shown for a real server reported by the directors of `perDirector`.
    static ShownHealth over(List<RealServerModel> perDirector) {
        var shown = UNKNOWN;
        for (var r : perDirector) {
            var h = of(r.healthProperty().get());
            if (h.compareTo(shown) > 0) {
                shown = h;
            }
        }
        return shown;
    }

    private static ShownHealth of(Health health) {
        return health == null ? UNKNOWN : switch (health) {
            case UP -> UP;
            case DOWN -> DOWN;
            case UNCHECKED -> UNCHECKED;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /// The word on the card: "up", "down", "unchecked", "unknown".
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /// The style class of the card and its link: `health-up`…
    String styleClass() {
        return "health-" + word();
    }
}
