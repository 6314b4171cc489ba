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

    /// A keepalived pair and a Pharos pair side by side in one inventory; a file written before
    /// kinds reads as Pharos directors.
    @Test
    void keepsTheKindOfEachDirector(@TempDir Path dir) throws Exception {
        var file = dir.resolve("inventory.json");
        var inv = new Inventory(List.of(
                new Inventory.Cluster("web", List.of(
                        new DirectorEndpoint("lvs-a", "192.0.2.1", 22, "root", null, null, null,
                                DirectorEndpoint.Kind.KEEPALIVED),
                        new DirectorEndpoint("lvs-b", "192.0.2.2", 22, "root", null, null, null,
                                DirectorEndpoint.Kind.KEEPALIVED))),
                new Inventory.Cluster("api", List.of(
                        new DirectorEndpoint("px-a", "192.0.2.3", 22, "root", null, null, null),
                        new DirectorEndpoint("px-b", "192.0.2.4", 22, "root", null, null, null)))));
        inv.save(file);
        assertThat(Files.readString(file)).contains("\"kind\" : \"KEEPALIVED\"");
        var loaded = Inventory.load(file);
        assertThat(loaded).isEqualTo(inv);
        assertThat(loaded.clusters().get(1).directors()).allMatch(d -> d.kind() == DirectorEndpoint.Kind.PHAROS);
        Files.writeString(file, """
                {"clusters": [{"name": "old", "directors": [{"name": "a", "host": "192.0.2.1", "port": 22}]}]}
                """);
        assertThat(Inventory.load(file).clusters().getFirst().directors().getFirst().kind())
                .isEqualTo(DirectorEndpoint.Kind.PHAROS);
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
