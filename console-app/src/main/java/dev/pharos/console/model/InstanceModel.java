package dev.pharos.console.model;

import dev.pharos.agent.api.AgentState;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import java.util.List;

/// One VRRP instance on one director.
public final class InstanceModel {

    private final String name;
    private final IntegerProperty vrid = new SimpleIntegerProperty();
    private final StringProperty state = new SimpleStringProperty("INIT");
    private final IntegerProperty priority = new SimpleIntegerProperty();
    private final IntegerProperty basePriority = new SimpleIntegerProperty();
    private final StringProperty master = new SimpleStringProperty();
    private final ObjectProperty<List<String>> virtualAddresses = new SimpleObjectProperty<>(List.of());
    private final javafx.beans.property.LongProperty advertIntervalMillis = new javafx.beans.property.SimpleLongProperty(1000);
    private final javafx.beans.property.ReadOnlyBooleanWrapper splitBrain = new javafx.beans.property.ReadOnlyBooleanWrapper();

    InstanceModel(String name) {
        this.name = name;
    }

    void apply(AgentState.VrrpInstance i) {
        vrid.set(i.vrid());
        state.set(i.state());
        priority.set(i.effectivePriority());
        basePriority.set(i.basePriority());
        master.set(i.master());
        virtualAddresses.set(i.virtualAddresses());
        advertIntervalMillis.set(i.advertIntervalMillis());
    }

    void transition(String to, int newPriority) {
        state.set(to);
        priority.set(newPriority);
    }

    public String name() {
        return name;
    }

    public IntegerProperty vridProperty() {
        return vrid;
    }

    /// `INIT`, `BACKUP`, `MASTER`, `FAULT` or `STOPPED` — as last reported; read it with the
    /// director's liveness.
    public StringProperty stateProperty() {
        return state;
    }

    public IntegerProperty priorityProperty() {
        return priority;
    }

    public IntegerProperty basePriorityProperty() {
        return basePriority;
    }

    public StringProperty masterProperty() {
        return master;
    }

    /// `advert_int`, in milliseconds.
    public javafx.beans.property.LongProperty advertIntervalMillisProperty() {
        return advertIntervalMillis;
    }

    /// True while another live director is MASTER of the same VRID and addresses as this one.
    public javafx.beans.property.ReadOnlyBooleanProperty splitBrainProperty() {
        return splitBrain.getReadOnlyProperty();
    }

    void splitBrain(boolean on) {
        splitBrain.set(on);
    }

    public ObjectProperty<List<String>> virtualAddressesProperty() {
        return virtualAddresses;
    }
}
