package dev.pharos.console.model;

import dev.pharos.agent.api.AgentState;
import java.util.Optional;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/// One virtual server and its real servers (objects kept across updates, so views keep theirs).
public final class VirtualServerModel {

    private final String id;
    private final String director;
    private final StringProperty address = new SimpleStringProperty();
    private final StringProperty scheduler = new SimpleStringProperty();
    private final StringProperty kind = new SimpleStringProperty();
    private final StringProperty servedAs = new SimpleStringProperty();
    private final LongProperty persistenceSeconds = new SimpleLongProperty();
    private final BooleanProperty quorumUp = new SimpleBooleanProperty(true);
    private final ObservableList<RealServerModel> realServers = FXCollections.observableArrayList();

    VirtualServerModel(String id, String director) {
        this.id = id;
        this.director = director;
    }

    void apply(AgentState.VirtualServer v) {
        address.set(v.address());
        scheduler.set(v.scheduler());
        kind.set(v.kind());
        servedAs.set(v.servedAs());
        persistenceSeconds.set(v.persistenceSeconds());
        quorumUp.set(v.quorumUp());
        Reconcile.list(realServers, v.realServers(), AgentState.RealServer::id, RealServerModel::id,
                rs -> new RealServerModel(rs, director), RealServerModel::apply);
    }

    public String id() {
        return id;
    }

    /// The name of the director that reports this virtual server.
    public String director() {
        return director;
    }

    /// The VIP this virtual server listens on, or null for fwmark and group services.
    public StringProperty addressProperty() {
        return address;
    }

    public StringProperty schedulerProperty() {
        return scheduler;
    }

    public StringProperty kindProperty() {
        return kind;
    }

    public StringProperty servedAsProperty() {
        return servedAs;
    }

    public LongProperty persistenceSecondsProperty() {
        return persistenceSeconds;
    }

    public BooleanProperty quorumUpProperty() {
        return quorumUp;
    }

    public ObservableList<RealServerModel> realServers() {
        return realServers;
    }

    public Optional<RealServerModel> realServer(String id) {
        return realServers.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
