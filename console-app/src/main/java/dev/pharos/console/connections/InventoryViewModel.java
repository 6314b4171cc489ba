package dev.pharos.console.connections;

import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.Inventory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/// One cluster of the inventory as the dialog edits it: its name and one row of text per director.
/// The rows become [Inventory.Cluster] only when every one is valid ([#problem()] says which is not).
public final class InventoryViewModel {

    /// One director's fields as typed (name, host or `~/.ssh/config` alias, port, user, key file,
    /// jump host, agent command) and what runs there (`pharos`, or `keepalived` to adopt it read-only).
    public static final class Row {
        /// The kinds as the dialog offers them.
        public static final List<String> KINDS = List.of("pharos", "keepalived");
        private final StringProperty name = new SimpleStringProperty("");
        private final StringProperty host = new SimpleStringProperty("");
        private final StringProperty port = new SimpleStringProperty("");
        private final StringProperty user = new SimpleStringProperty("");
        private final StringProperty key = new SimpleStringProperty("");
        private final StringProperty jump = new SimpleStringProperty("");
        private final StringProperty command = new SimpleStringProperty(DirectorEndpoint.DEFAULT_AGENT_COMMAND);
        private final StringProperty kind = new SimpleStringProperty(KINDS.getFirst());

        static Row of(DirectorEndpoint e) {
            var r = new Row();
            r.name.set(e.name());
            r.host.set(e.host());
            r.port.set(e.port() == 0 ? "" : Integer.toString(e.port()));
            r.user.set(e.user() == null ? "" : e.user());
            r.key.set(e.identityFile() == null ? "" : e.identityFile().toString());
            r.jump.set(e.jumpHost() == null ? "" : e.jumpHost());
            r.command.set(e.agentCommand());
            r.kind.set(e.kind().name().toLowerCase(Locale.ROOT));
            return r;
        }

        DirectorEndpoint toEndpoint() {
            int p = port.get().isBlank() ? 0 : Integer.parseInt(port.get().strip());
            return new DirectorEndpoint(name.get().strip(), host.get().strip(), p, blankToNull(user.get()),
                    blankToNull(key.get()) == null ? null : Path.of(key.get().strip()), blankToNull(jump.get()),
                    command.get(), kindOf(kind.get()));
        }

        private static DirectorEndpoint.Kind kindOf(String text) {
            var k = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
            for (var known : DirectorEndpoint.Kind.values()) {
                if (known.name().equals(k)) {
                    return known;
                }
            }
            throw new IllegalArgumentException("the kind must be one of " + String.join(", ", KINDS));
        }

        public StringProperty nameProperty() {
            return name;
        }

        public StringProperty hostProperty() {
            return host;
        }

        public StringProperty portProperty() {
            return port;
        }

        public StringProperty userProperty() {
            return user;
        }

        public StringProperty keyProperty() {
            return key;
        }

        public StringProperty jumpProperty() {
            return jump;
        }

        public StringProperty commandProperty() {
            return command;
        }

        public StringProperty kindProperty() {
            return kind;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    private final StringProperty clusterName = new SimpleStringProperty("");
    private final ObservableList<Row> rows = FXCollections.observableArrayList();

    /// Rows for `existing`, or none for a new cluster.
    public InventoryViewModel(Optional<Inventory.Cluster> existing) {
        existing.ifPresent(c -> {
            clusterName.set(c.name());
            c.directors().forEach(d -> rows.add(Row.of(d)));
        });
    }

    public StringProperty clusterNameProperty() {
        return clusterName;
    }

    /// The rows, in the order shown; [#addRow] and [#removeRows] change them.
    public ObservableList<Row> rows() {
        return rows;
    }

    public void addRow() {
        rows.add(new Row());
    }

    public void removeRows(Collection<Row> selected) {
        rows.removeAll(List.copyOf(selected));
    }

    /// Why the rows cannot be saved ("Row 2: the port must be a number."), or empty when they can.
    public Optional<String> problem() {
        if (clusterName.get() == null || clusterName.get().isBlank()) {
            return Optional.of("Give the cluster a name.");
        }
        var names = new HashSet<String>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                var e = rows.get(i).toEndpoint();
                if (!names.add(e.name())) {
                    return Optional.of("Row " + (i + 1) + ": the name " + e.name() + " is used twice.");
                }
            } catch (NumberFormatException ex) {
                return Optional.of("Row " + (i + 1) + ": the port must be a number.");
            } catch (IllegalArgumentException ex) {
                return Optional.of("Row " + (i + 1) + ": " + ex.getMessage() + ".");
            }
        }
        return Optional.empty();
    }

    /// The cluster the rows describe; call it only when [#problem()] is empty.
    public Inventory.Cluster build() {
        var list = new ArrayList<DirectorEndpoint>();
        rows.forEach(r -> list.add(r.toEndpoint()));
        return new Inventory.Cluster(clusterName.get().strip(), list);
    }
}
