package dev.pharos.console.model;

import dev.pharos.agent.api.AgentState;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/// One VRRP instance on one director.
public final class InstanceModel {

    private final String name;
    private final IntegerProperty vrid = new SimpleIntegerProperty();
    private final ReadOnlyObjectWrapper<VrrpState> state = new ReadOnlyObjectWrapper<>(VrrpState.INIT);
    private final IntegerProperty priority = new SimpleIntegerProperty();
    private final IntegerProperty basePriority = new SimpleIntegerProperty();
    private final StringProperty master = new SimpleStringProperty();
    private final ObjectProperty<List<String>> virtualAddresses = new SimpleObjectProperty<>(List.of());
    private final LongProperty advertIntervalMillis = new SimpleLongProperty(1000);
    private final ReadOnlyObjectWrapper<SplitBrain> splitBrain = new ReadOnlyObjectWrapper<>(SplitBrain.NONE);
    private final ReadOnlyBooleanWrapper splitBrainFlag = new ReadOnlyBooleanWrapper();
    /// Since when, and until when, this director is known to have been MASTER (its own clock);
    /// null unless its last report says MASTER.
    private Instant masterSince;
    private Instant masterTrueAt;

    InstanceModel(String name) {
        this.name = name;
    }

    /// A state snapshot taken at `at` by the agent.
    void apply(AgentState.VrrpInstance i, Instant at) {
        vrid.set(i.vrid());
        state.set(VrrpState.fromWire(i.state()));
        if (state.get() == VrrpState.MASTER) {
            masterSince = i.lastChange() == null ? at : i.lastChange();
            masterTrueAt = at;
        } else {
            masterSince = null;
            masterTrueAt = null;
        }
        priority.set(i.effectivePriority());
        basePriority.set(i.basePriority());
        master.set(i.master());
        virtualAddresses.set(i.virtualAddresses());
        advertIntervalMillis.set(i.advertIntervalMillis());
    }

    /// A transition the agent reported, made at `at`.
    void transition(String to, int newPriority, Instant at) {
        state.set(VrrpState.fromWire(to));
        priority.set(newPriority);
        masterSince = state.get() == VrrpState.MASTER ? at : null;
        masterTrueAt = masterSince;
    }

    /// This director's MASTER claim for the split-brain rule, or null when it does not claim it.
    SplitBrainRule.MasterReport masterReport(String director) {
        if (state.get() != VrrpState.MASTER || masterSince == null) {
            return null;
        }
        var mdi = SplitBrainRule.masterDownInterval(Duration.ofMillis(advertIntervalMillis.get()), priority.get());
        return new SplitBrainRule.MasterReport(director, masterSince, masterTrueAt, mdi);
    }

    public String name() {
        return name;
    }

    public IntegerProperty vridProperty() {
        return vrid;
    }

    /// As last reported; read it with the director's liveness.
    public ReadOnlyObjectProperty<VrrpState> stateProperty() {
        return state.getReadOnlyProperty();
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
    public LongProperty advertIntervalMillisProperty() {
        return advertIntervalMillis;
    }

    /// True once this director and another live one have both been MASTER of the same VRID and
    /// addresses for longer than Master_Down_Interval (see [SplitBrainRule]).
    public ReadOnlyBooleanProperty splitBrainProperty() {
        return splitBrainFlag.getReadOnlyProperty();
    }

    /// [SplitBrain#CHECKING] while another live director says MASTER too but not for long
    /// enough to be sure; [SplitBrain#SPLIT] once it is.
    public ReadOnlyObjectProperty<SplitBrain> splitBrainStateProperty() {
        return splitBrain.getReadOnlyProperty();
    }

    void splitBrain(SplitBrain s) {
        splitBrain.set(s);
        splitBrainFlag.set(s == SplitBrain.SPLIT);
    }

    public ObjectProperty<List<String>> virtualAddressesProperty() {
        return virtualAddresses;
    }
}
