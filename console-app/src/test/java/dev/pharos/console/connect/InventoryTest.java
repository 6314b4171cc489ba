package dev.pharos.console.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {

    @Test
    void roundTripsAndIsWrittenAtomically(@TempDir Path dir) throws Exception {
        var file = dir.resolve("pharos/inventory.json");
        assertThat(Inventory.load(file)).isEqualTo(Inventory.EMPTY);
        var inv = new Inventory(List.of(new Inventory.Cluster("seed", List.of(
                new DirectorEndpoint("lvs-master", "lvs-master", 22, "root", dir.resolve("id_ed25519"), null, null),
                new DirectorEndpoint("lvs-backup", "192.0.2.2", 2222, null, null, "ops@bastion:22", "sudo director-agent attach")))));
        inv.save(file);
        assertThat(Inventory.load(file)).isEqualTo(inv);
        try (var left = Files.list(file.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("inventory.json");
        }
    }

    @Test
    void aBrokenFileNamesItsPlace(@TempDir Path dir) throws Exception {
        var file = dir.resolve("inventory.json");
        Files.writeString(file, "{\"clusters\": [\n  {\"name\": \"x\", \"directors\": [ {\"name\": } ]}\n]}");
        assertThatThrownBy(() -> Inventory.load(file)).hasMessageStartingWith(file + ":2:")
                .hasMessageContaining("not a Pharos inventory");
    }

    @Test
    void endpointsSayWhatIsMissing() {
        assertThatThrownBy(() -> new DirectorEndpoint("", "h", 22, null, null, null, null)).hasMessageContaining("name");
        assertThatThrownBy(() -> new DirectorEndpoint("a", " ", 22, null, null, null, null)).hasMessageContaining("host");
        assertThatThrownBy(() -> new DirectorEndpoint("a", "h", 70000, null, null, null, null)).hasMessageContaining("port");
        assertThat(new DirectorEndpoint("a", "h", 0, null, null, null, null).agentCommand())
                .isEqualTo("director-agent attach");
        assertThat(SshConnector.parseJump("ops@bastion:2200")).isEqualTo(new SshConnector.Jump("ops", "bastion", 2200));
        assertThat(SshConnector.parseJump("bastion")).isEqualTo(new SshConnector.Jump(null, "bastion", 22));
    }
}
