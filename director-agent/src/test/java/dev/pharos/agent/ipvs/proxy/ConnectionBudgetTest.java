package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// The default connection cap from the descriptor limit: a tenth kept (256 to 4,096), two
/// descriptors per connection for the rest.
class ConnectionBudgetTest {

    @Test
    void systemdsDefaultLimitLeaves384Connections() {
        assertThat(ConnectionBudget.of(1024)).isEqualTo(new ConnectionBudget(1024, 256, 384));
    }

    @Test
    void aTenthIsKeptBetweenTheBounds() {
        assertThat(ConnectionBudget.of(20_000)).isEqualTo(new ConnectionBudget(20_000, 2_000, 9_000));
        assertThat(ConnectionBudget.of(1_048_576)).isEqualTo(new ConnectionBudget(1_048_576, 4_096, 522_240));
    }

    @Test
    void aTinyLimitStillLeavesTheMinimum() {
        assertThat(ConnectionBudget.of(100).cap()).isEqualTo(ConnectionBudget.MIN_CAP);
        assertThat(ConnectionBudget.of(280).cap()).isEqualTo(ConnectionBudget.MIN_CAP);
    }

    @Test
    void aHugeLimitDoesNotOverflow() {
        assertThat(ConnectionBudget.of(Long.MAX_VALUE).cap()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aLimitThatIsNotPositiveIsRejected() {
        assertThatThrownBy(() -> ConnectionBudget.of(0)).hasMessageContaining("file-descriptor limit 0 is not positive");
    }

    @Test
    void theSoftLimitIsReadFromProcLimits() {
        var limits = """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max open files            20000                524288               files
                Max locked memory         8388608              8388608              bytes
                """;
        assertThat(ConnectionBudget.softLimitIn(limits)).hasValue(20000);
    }

    @Test
    void limitsWithoutAPositiveOpenFilesFigureGiveNone() {
        assertThat(ConnectionBudget.softLimitIn("Max cpu time              unlimited            unlimited            seconds\n"))
                .isEmpty();
        assertThat(ConnectionBudget.softLimitIn("Max open files            unlimited            unlimited            files\n"))
                .isEmpty();
        assertThat(ConnectionBudget.softLimitIn("Max open files            0                    0                    files\n"))
                .isEmpty();
        assertThat(ConnectionBudget.softLimitIn("")).isEmpty();
    }

    @Test
    void thisProcessesBudgetComesFromItsSoftLimit() throws Exception {
        long soft = 0;
        for (var line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                soft = Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(soft > 0, "/proc/self/limits gives the soft limit");
        assertThat(ConnectionBudget.ofThisProcess()).isEqualTo(ConnectionBudget.of(soft));
        try (var lb = new UserspaceBalancer()) {
            assertThat(lb.connectionCap()).isEqualTo(ConnectionBudget.of(soft).cap());
        }
    }
}
