package dev.pharos.console.model;

import dev.pharos.agent.api.AgentState;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/// One real server of a virtual server, as last reported, plus the console's own `pending` flag
/// while an edit on it is in flight.
public final class RealServerModel {

    private final String id;
    private final String director;
    private final StringProperty address = new SimpleStringProperty();
    private final ObjectProperty<Integer> port = new SimpleObjectProperty<>();
    private final IntegerProperty weight = new SimpleIntegerProperty();
    private final IntegerProperty effectiveWeight = new SimpleIntegerProperty();
    private final ReadOnlyObjectWrapper<Health> health = new ReadOnlyObjectWrapper<>(Health.UNKNOWN);
    private final StringProperty healthReason = new SimpleStringProperty();
    private final ObjectProperty<AgentState.Traffic> traffic = new SimpleObjectProperty<>(AgentState.Traffic.NONE);
    private final BooleanProperty pending = new SimpleBooleanProperty();

    RealServerModel(String id, String director) {
        this.id = id;
        this.director = director;
    }

    void apply(AgentState.RealServer r) {
        address.set(r.address());
        port.set(r.port());
        weight.set(r.weight());
        effectiveWeight.set(r.effectiveWeight());
        health.set(Health.fromWire(r.health()));
        healthReason.set(r.healthReason());
        traffic.set(r.traffic() == null ? AgentState.Traffic.NONE : r.traffic());
    }

    public String id() {
        return id;
    }

    /// The name of the director that reports this real server.
    public String director() {
        return director;
    }

    public StringProperty addressProperty() {
        return address;
    }

    public ObjectProperty<Integer> portProperty() {
        return port;
    }

    public IntegerProperty weightProperty() {
        return weight;
    }

    public IntegerProperty effectiveWeightProperty() {
        return effectiveWeight;
    }

    public ReadOnlyObjectProperty<Health> healthProperty() {
        return health.getReadOnlyProperty();
    }

    /// A `health.changed` event: the health, why, and the weight the director now gives it.
    void healthChanged(Health h, String reason, int newEffectiveWeight) {
        health.set(h);
        healthReason.set(reason);
        effectiveWeight.set(newEffectiveWeight);
    }

    public StringProperty healthReasonProperty() {
        return healthReason;
    }

    public ObjectProperty<AgentState.Traffic> trafficProperty() {
        return traffic;
    }

    /// An edit on this server was sent and has not been answered yet.
    public BooleanProperty pendingProperty() {
        return pending;
    }
}
