package dev.pharos.console.topology;

import dev.pharos.console.topology.MotionViewModel.Kind;
import dev.pharos.console.topology.MotionViewModel.Motion;
import dev.pharos.console.topology.MotionViewModel.Place;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javafx.animation.AnimationTimer;
import javafx.beans.value.ChangeListener;
import javafx.css.PseudoClass;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.control.Label;
import javafx.scene.shape.Circle;
import javafx.stage.Window;

/// Draws a [MotionViewModel] over the topology: a dot per advert or request on its way, a label
/// per VIP on the director that holds it. Positions follow the model's clock (the lab's): when
/// it stands still, nothing moves and nothing is redrawn.
///
/// Cheap at every frame: one [AnimationTimer] while the layer is in a scene, a fixed pool of dots
/// reused from frame to frame (never more than [MotionViewModel#MAX_MOTIONS]), a label per VIP,
/// and places looked up once per frame. It takes no mouse events, so the cards under it keep
/// their gestures.
public final class MotionLayer extends Group {

    private static final PseudoClass UNHELD = PseudoClass.getPseudoClass("unheld");
    private static final double DOT_RADIUS = 5;
    /// How far beside a director's card (left, below) the clients' requests come from.
    private static final double CLIENTS_BESIDE = 12;

    private final MotionViewModel model;
    private final Function<Place, Optional<Bounds>> locate;
    private final List<Circle> dots = new ArrayList<>();
    private final Map<String, Label> vipLabels = new LinkedHashMap<>();
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long frameNanos) {
            frame();
        }
    };
    private long drawnAt = Long.MIN_VALUE;
    private long drawnVersion = -1;
    private boolean disposed;

    /// @param locate where a director, virtual server or real server is drawn (canvas coordinates)
    public MotionLayer(MotionViewModel model, Function<Place, Optional<Bounds>> locate) {
        this.model = model;
        this.locate = locate;
        getStyleClass().add("motion");
        setMouseTransparent(true);
        setManaged(false);
        // Frames only while the layer is in a window that shows: a closed window's layer (or one
        // whose window was given another scene) costs nothing.
        ChangeListener<Boolean> showing = (o, was, now) -> run(now);
        ChangeListener<Window> window = (o, was, now) -> {
            if (was != null) {
                was.showingProperty().removeListener(showing);
            }
            if (now != null) {
                now.showingProperty().addListener(showing);
            }
            run(now != null && now.isShowing());
        };
        sceneProperty().addListener((o, was, now) -> {
            if (was != null) {
                was.windowProperty().removeListener(window);
            }
            if (now != null) {
                now.windowProperty().addListener(window);
            }
            window.changed(null, was == null ? null : was.getWindow(), now == null ? null : now.getWindow());
        });
    }

    private void run(boolean on) {
        if (on && !disposed) {
            timer.start();
        } else {
            timer.stop();
        }
    }

    /// Stops drawing for good (a new lab's layer replaces this one).
    public void dispose() {
        disposed = true;
        timer.stop();
        getChildren().clear();
    }

    /// One frame: only when the clock moved or the model changed since the last one.
    void frame() {
        long now = model.now();
        long version = model.version();
        if (now == drawnAt && version == drawnVersion) {
            return;
        }
        drawnAt = now;
        drawnVersion = version;
        var places = new HashMap<Place, Optional<Bounds>>();
        Function<Place, Optional<Bounds>> at = p -> places.computeIfAbsent(p, locate);
        var motions = model.motions(now);
        int used = 0;
        for (var m : motions) {
            var point = position(m, now, at);
            if (point.isEmpty()) {
                continue;
            }
            var dot = dot(used++);
            style(dot, m.kind());
            dot.setCenterX(point.get().getX());
            dot.setCenterY(point.get().getY());
            dot.setOpacity(m.kind() == Kind.ADVERT_LOST ? Math.max(0, 1 - 2 * m.progress(now)) : 1);
            dot.setVisible(true);
        }
        for (int i = used; i < dots.size(); i++) {
            dots.get(i).setVisible(false);
        }
        int slot = 0;
        for (var vip : model.vips()) {
            var label = vipLabels.computeIfAbsent(vip.vip(), this::vipLabel);
            var to = vip.to() != null ? vip.to() : model.lastHolder(vip.vip());
            var target = to == null ? Optional.<Point2D>empty() : vipSlot(to, slot, at);
            var start = vip.from() == null ? target : vipSlot(vip.from(), slot, at);
            slot++;
            if (target.isEmpty() || start.isEmpty()) {
                label.setVisible(false);
                continue;
            }
            double f = vip.progress(now);
            var p = start.get().add(target.get().subtract(start.get()).multiply(f));
            label.relocate(p.getX(), p.getY());
            label.pseudoClassStateChanged(UNHELD, vip.to() == null);
            label.setVisible(true);
        }
    }

    /// Where a VIP's marker stands on `director`'s card: its own slot along the card's top edge.
    private static Optional<Point2D> vipSlot(String director, int slot, Function<Place, Optional<Bounds>> at) {
        return at.apply(new Place.Director(director)).map(b -> new Point2D(b.getMinX() + 6 + slot * (b.getWidth() / 2),
                b.getMinY() - 9));
    }

    /// Where `m` is at `now`: along its path at an even speed. The path keeps off the cards'
    /// text: adverts run along the directors' top edges; a request comes from beside its
    /// director, enters at the card's foot, where the links start, follows the link to the
    /// virtual server, crosses it, and follows the next link to the real server's top.
    private static Optional<Point2D> position(Motion m, long now, Function<Place, Optional<Bounds>> at) {
        var points = new ArrayList<Point2D>();
        var path = m.path();
        boolean advert = m.kind() == Kind.ADVERT || m.kind() == Kind.ADVERT_LOST;
        for (int i = 0; i < path.size(); i++) {
            var place = path.get(i);
            var before = i > 0 ? path.get(i - 1) : null;
            // The clients stand beside the director they send to (or hear back from).
            var neighbour = i + 1 < path.size() ? path.get(i + 1) : before;
            var drawn = !(place instanceof Place.Clients) ? at.apply(place)
                    : neighbour == null ? Optional.<Bounds>empty() : at.apply(neighbour);
            if (drawn.isEmpty()) {
                return Optional.empty(); // not drawn (yet): no dot rather than a wrong one
            }
            var b = drawn.get();
            var top = new Point2D(b.getCenterX(), b.getMinY());
            var foot = new Point2D(b.getCenterX(), b.getMaxY());
            switch (place) {
                case Place.Clients c -> points.add(new Point2D(Math.max(DOT_RADIUS, b.getMinX() - CLIENTS_BESIDE),
                        b.getMaxY() + CLIENTS_BESIDE));
                case Place.Director d -> points.add(advert ? top : foot);
                case Place.VirtualServer v -> {
                    boolean down = before instanceof Place.Director;
                    points.add(down ? top : foot);
                    points.add(down ? foot : top);
                }
                case Place.RealServer r -> points.add(top);
            }
        }
        if (points.isEmpty()) {
            return Optional.empty();
        }
        double f = Math.min(1, m.progress(now)) * (m.kind() == Kind.ADVERT_LOST ? 0.5 : 1);
        double total = 0;
        for (int i = 1; i < points.size(); i++) {
            total += points.get(i - 1).distance(points.get(i));
        }
        double left = f * total;
        for (int i = 1; i < points.size(); i++) {
            var a = points.get(i - 1);
            var b = points.get(i);
            double leg = a.distance(b);
            if (left <= leg && leg > 0) {
                return Optional.of(a.add(b.subtract(a).multiply(left / leg)));
            }
            left -= leg;
        }
        return Optional.of(points.getLast());
    }

    private Circle dot(int i) {
        while (dots.size() <= i) {
            var c = new Circle(DOT_RADIUS);
            c.getStyleClass().add("motion-dot");
            dots.add(c);
            getChildren().add(c);
        }
        return dots.get(i);
    }

    /// Sets the dot's kind only when it changes: a style class change costs a CSS pass.
    private static void style(Circle dot, Kind kind) {
        if (dot.getUserData() != kind) {
            dot.setUserData(kind);
            dot.getStyleClass().setAll("motion-dot", "motion-" + kind.name().toLowerCase(Locale.ROOT)
                    .replace('_', '-'));
        }
    }

    private Label vipLabel(String vip) {
        var label = new Label("VIP " + vip);
        label.getStyleClass().add("motion-vip");
        label.setId("motion-vip-" + vip.replaceAll("[^A-Za-z0-9]", "-"));
        getChildren().add(label);
        return label;
    }
}
