package dev.pharos.console.inspect;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.topology.TopologyView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.scene.layout.BorderPane;
import org.controlsfx.control.PropertySheet;

/// Shows the topology's selection as read-only properties, grouped by director (a virtual server
/// in dual-master exists on both, possibly with different health on each).
public final class InspectorView extends BorderPane {

    private final PropertySheet sheet = new PropertySheet();
    private final ObservableValue<Map<String, Drift>> drift;

    /// @param drift the virtual servers whose directors disagree (shown in a "Drift" block)
    public InspectorView(ObjectProperty<TopologyView.Selection> selection, ObservableValue<Map<String, Drift>> drift) {
        this.drift = drift;
        getStyleClass().add("inspector");
        sheet.setModeSwitcherVisible(false);
        sheet.setSearchBoxVisible(false);
        sheet.setMode(PropertySheet.Mode.CATEGORY);
        setCenter(sheet);
        selection.addListener((o, was, now) -> show(now));
        drift.addListener((o, was, now) -> show(selection.get()));
        setPrefWidth(300);
    }

    private void show(TopologyView.Selection s) {
        var items = new ArrayList<PropertySheet.Item>();
        if (s != null) {
            switch (s) {
                case TopologyView.Selection.Director d -> director(items, d.director());
                case TopologyView.Selection.VirtualServer v -> {
                    var d = drift.getValue().get(v.id());
                    if (d != null) {
                        int n = 0;
                        for (var difference : d.differences()) {
                            items.add(item("Drift (compared with " + d.reference() + ")", "#" + (++n),
                                    new javafx.beans.property.SimpleStringProperty(difference)));
                        }
                    }
                    for (var m : v.perDirector()) {
                        var cat = v.id() + " on " + m.director();
                        items.add(item(cat, "Scheduler", m.schedulerProperty()));
                        items.add(item(cat, "Forwarding", m.kindProperty()));
                        items.add(item(cat, "Persistence (s)", m.persistenceSecondsProperty()));
                        items.add(item(cat, "Served as", m.servedAsProperty()));
                        items.add(item(cat, "Quorum up", m.quorumUpProperty()));
                        items.add(item(cat, "Real servers", new javafx.beans.property.SimpleIntegerProperty(
                                m.realServers().size())));
                    }
                }
                case TopologyView.Selection.RealServer r -> {
                    for (var m : r.perDirector()) {
                        var cat = r.id() + " on " + m.director();
                        items.add(item(cat, "Virtual server", new javafx.beans.property.SimpleStringProperty(r.virtualServer())));
                        items.add(item(cat, "Weight", m.weightProperty()));
                        items.add(item(cat, "Effective weight", m.effectiveWeightProperty()));
                        items.add(item(cat, "Health", m.healthProperty()));
                        items.add(item(cat, "Reason", m.healthReasonProperty()));
                        var t = m.trafficProperty();
                        items.add(item(cat, "Active connections", javafx.beans.binding.Bindings.createLongBinding(
                                () -> t.get().activeConnections(), t)));
                        items.add(item(cat, "Connections", javafx.beans.binding.Bindings.createLongBinding(
                                () -> t.get().connections(), t)));
                        items.add(item(cat, "Bytes in / out", javafx.beans.binding.Bindings.createStringBinding(
                                () -> t.get().bytesIn() + " / " + t.get().bytesOut(), t)));
                    }
                }
            }
        }
        sheet.getItems().setAll(FXCollections.observableArrayList(items));
    }

    private static void director(List<PropertySheet.Item> items, DirectorModel d) {
        var cat = d.name();
        items.add(item(cat, "Liveness", d.livenessProperty()));
        items.add(item(cat, "Host", d.hostnameProperty()));
        items.add(item(cat, "Revision", d.revisionProperty()));
        items.add(item(cat, "Balancer", d.balancerProperty()));
        for (var i : d.instances()) {
            items.add(item(cat, i.name() + " state", i.stateProperty()));
            items.add(item(cat, i.name() + " priority", i.priorityProperty()));
            items.add(item(cat, i.name() + " master", i.masterProperty()));
        }
    }

    private static PropertySheet.Item item(String category, String name, ObservableValue<?> value) {
        return new PropertySheet.Item() {
            @Override
            public Class<?> getType() {
                return String.class;
            }

            @Override
            public String getCategory() {
                return category;
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public String getDescription() {
                return name;
            }

            @Override
            public Object getValue() {
                var v = value.getValue();
                return v == null ? "" : v.toString();
            }

            @Override
            public void setValue(Object ignored) {
                // read-only: edits go through the topology's gestures, which carry a revision
            }

            @Override
            public boolean isEditable() {
                return false;
            }

            @Override
            public Optional<ObservableValue<? extends Object>> getObservableValue() {
                return Optional.of(value);
            }
        };
    }

    public PropertySheet sheet() {
        return sheet;
    }
}
