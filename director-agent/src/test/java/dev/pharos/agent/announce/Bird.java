package dev.pharos.agent.announce;

import dev.pharos.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/// BIRD 2 in a test namespace, with its files named after it in one directory: `NAME.conf` (its
/// configuration), `NAME.ctl` (its control socket), `NAME.log`, `NAME.pid`. Public for the
/// console's tests against real agents.
public final class Bird {

    public static final Path BIRD = Path.of("/usr/sbin/bird");
    private static final Duration START = Duration.ofSeconds(120);

    private Bird() {
    }

    /// Starts BIRD on `dir/NAME.conf` in `host` (ended when the network closes); returns once its
    /// control socket is there.
    public static Process start(Netns.Host host, Path dir, String name) {
        var p = host.start(dir.resolve(name + ".log"), BIRD.toString(), "-f", "-c", dir.resolve(name + ".conf").toString(),
                "-s", socket(dir, name).toString(), "-P", dir.resolve(name + ".pid").toString());
        if (!Netns.await(START, () -> Files.exists(socket(dir, name)))) {
            throw new IllegalStateException(name + "'s BIRD did not start");
        }
        return p;
    }

    public static Path socket(Path dir, String name) {
        return dir.resolve(name + ".ctl");
    }

    /// Whether the BIRD at `socket` has a route to `prefix` (it says 8001 "Network not found"
    /// when it has none).
    public static boolean hasRoute(Path socket, String prefix) {
        try (var bird = BirdControl.connect(socket, Duration.ofSeconds(5))) {
            return bird.command("show route " + prefix).stream().anyMatch(l -> l.text().contains(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    /// Whether the BIRD at `socket` has a route to `prefix` learnt through its protocol `protocol`
    /// (best or not: `show route` lists every path, each as `unicast [PROTOCOL time] …`).
    public static boolean hasRouteFrom(Path socket, String prefix, String protocol) {
        try (var bird = BirdControl.connect(socket, Duration.ofSeconds(5))) {
            return bird.command("show route " + prefix).stream().anyMatch(l -> l.text().contains("[" + protocol + " "));
        } catch (IOException e) {
            return false;
        }
    }
}
