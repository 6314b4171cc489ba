package dev.pharos.console.connections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.Inventory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/// The inventory dialog's rows: typed text in, inventory records out, and a sentence naming the
/// first row that cannot be saved.
class InventoryViewModelTest {

    @Test
    void anExistingClusterComesBackUnchanged() {
        var cluster = new Inventory.Cluster("seed", List.of(
                new DirectorEndpoint("lvs-master", "192.0.2.10", 2222, "ops", Path.of("/home/ops/.ssh/id_ed25519"),
                        "ops@192.0.2.1:22", DirectorEndpoint.DEFAULT_AGENT_COMMAND),
                new DirectorEndpoint("lvs-backup", "lvs-backup", 0, null, null, null, "sudo director-agent attach"),
                new DirectorEndpoint("kept", "192.0.2.12", 0, "root", null, null, null,
                        DirectorEndpoint.Kind.KEEPALIVED)));
        var model = new InventoryViewModel(Optional.of(cluster));
        assertThat(model.rows()).hasSize(3);
        assertThat(model.rows().get(2).kindProperty().get()).isEqualTo("keepalived");
        assertThat(model.rows().getFirst().portProperty().get()).isEqualTo("2222");
        assertThat(model.rows().get(1).portProperty().get()).as("port 0 means ssh's own default").isEmpty();
        assertThat(model.problem()).isEmpty();
        assertThat(model.build()).isEqualTo(cluster);
    }

    @Test
    void theFirstRowThatCannotBeSavedIsNamed() {
        var model = new InventoryViewModel(Optional.empty());
        assertThat(model.problem()).contains("Give the cluster a name.");
        model.clusterNameProperty().set("lab");
        model.addRow();
        model.addRow();
        var first = model.rows().getFirst();
        first.nameProperty().set("a");
        first.hostProperty().set("192.0.2.10");
        var second = model.rows().get(1);
        second.nameProperty().set("a");
        second.hostProperty().set("192.0.2.11");
        assertThat(model.problem()).contains("Row 2: the name a is used twice.");
        second.nameProperty().set("b");
        second.portProperty().set("twenty-two");
        assertThat(model.problem()).contains("Row 2: the port must be a number.");
        second.portProperty().set("22");
        second.kindProperty().set("heartbeat");
        assertThat(model.problem()).contains("Row 2: the kind must be one of pharos, keepalived.");
        second.kindProperty().set("keepalived");
        assertThat(model.problem()).isEmpty();
        assertThat(model.build().directors().get(1).kind()).isEqualTo(DirectorEndpoint.Kind.KEEPALIVED);
        assertThat(model.build().directors()).extracting(DirectorEndpoint::name).containsExactly("a", "b");
        model.removeRows(List.of(first));
        assertThat(model.build().directors()).extracting(DirectorEndpoint::name).containsExactly("b");
    }
}
