// bench/VrrpStressLoad.java — allocation pressure for bench/vrrp-stress: state.get calls in a loop
// on an agent's control socket for a given number of seconds (single-file source, with
// director-agent.jar on the class path). Prints the number of calls and their rate.
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import java.nio.file.Path;
import java.time.Duration;

public class VrrpStressLoad {

    public static void main(String[] args) throws Exception {
        var socket = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long calls = 0;
        long bytes = 0;
        try (var c = ControlClient.connect(socket)) {
            while (System.nanoTime() < end) {
                var n = c.call(Protocol.STATE_GET, null, Duration.ofSeconds(60));
                if (calls == 0) {
                    bytes = n.toString().length();
                }
                calls++;
            }
        }
        System.out.printf("%d %.1f %d%n", calls, calls / (double) seconds, bytes / 1024);
    }
}
