package dev.pharos.agent.ipvs.table;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/// The services in the backend that this agent created, and so may change and delete: keepalived
/// manages only its own, and leaves alone what kube-proxy, Docker or an administrator's `ipvsadm`
/// put beside them.
///
/// Remembered in a file (one service a line, as [ServiceKey#toString()] writes it: `TCP
/// 192.0.2.10:80`, `UDP [2001:db8::1]:53`, `FWM 1`, `FWM 1 IPv6`) so that an agent restarted on the
/// same state directory adopts its own services as they are, connections and all, and still
/// deletes those its configuration no longer has. A key is written *before* the service is added:
/// an agent that dies in between leaves a line too many, never a service it forgot.
///
/// Not thread-safe: used by one [Reconciler].
public final class OwnedServices {

    private static final System.Logger LOG = System.getLogger(OwnedServices.class.getName());
    private static final Pattern ADDRESS = Pattern.compile(
            "(TCP|UDP|SCTP) (?:\\[([0-9a-fA-F.]*:[0-9a-fA-F:.]*)\\]|(\\d{1,3}(?:\\.\\d{1,3}){3})):(\\d{1,5})");
    private static final Pattern FWMARK = Pattern.compile("FWM (\\d+)( IPv6)?");

    private final Path file;
    private final Set<ServiceKey> keys = new LinkedHashSet<>();
    private boolean warned;

    private OwnedServices(Path file) {
        this.file = file;
    }

    /// Remembered only while the process lives (the user-space balancer, whose table dies with it).
    public static OwnedServices inMemory() {
        return new OwnedServices(null);
    }

    /// Remembered in `file`, starting from what it holds; a missing file holds nothing, and an
    /// unreadable line is skipped with a warning (that service is then someone else's).
    public static OwnedServices in(Path file) {
        var owned = new OwnedServices(file);
        try {
            int n = 0;
            for (var line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                var key = parse(line.strip());
                if (key.isPresent()) {
                    owned.keys.add(key.get());
                } else {
                    LOG.log(Level.WARNING, "{0}:{1}: not a service, ignored: {2}", file, n, line);
                }
            }
        } catch (NoSuchFileException e) {
            // a first start: nothing is ours yet
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not read which IPVS services are Pharos''s from {0}: {1}; services "
                    + "already in the kernel are left alone as someone else''s", file, e.getMessage());
        }
        return owned;
    }

    public Set<ServiceKey> keys() {
        return Collections.unmodifiableSet(keys);
    }

    public boolean contains(ServiceKey key) {
        return keys.contains(key);
    }

    /// Makes `next` the owned services, writing the file if that changes it.
    void set(Set<ServiceKey> next) {
        if (keys.equals(next)) {
            return;
        }
        keys.clear();
        keys.addAll(next);
        save();
    }

    private void save() {
        if (file == null) {
            return;
        }
        var text = new StringBuilder();
        keys.forEach(k -> text.append(k).append('\n'));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            var temporary = file.resolveSibling(file.getFileName() + ".new");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            warned = false;
        } catch (IOException e) {
            if (!warned) {
                // Said once: the next start will take these services for someone else's.
                LOG.log(Level.WARNING, "could not write {0}: {1}; a restarted agent will not know its IPVS services "
                        + "and leave them in the kernel", file, e.getMessage());
                warned = true;
            }
        }
    }

    /// The key a line names, as [ServiceKey#toString()] writes it.
    static Optional<ServiceKey> parse(String line) {
        var a = ADDRESS.matcher(line);
        if (a.matches()) {
            try {
                // a literal (the pattern admits nothing else), so no name is looked up
                var address = InetAddress.getByName(a.group(2) != null ? a.group(2) : a.group(3));
                int port = Integer.parseInt(a.group(4));
                if (port <= 65_535) {
                    return Optional.of(new ServiceKey.ByAddress(Protocol.valueOf(a.group(1).toUpperCase(Locale.ROOT)),
                            address, port));
                }
            } catch (UnknownHostException | NumberFormatException e) {
                return Optional.empty();
            }
            return Optional.empty();
        }
        var f = FWMARK.matcher(line);
        if (f.matches()) {
            try {
                long mark = Long.parseLong(f.group(1));
                if (mark >= 1 && mark <= 0xffff_ffffL) {
                    return Optional.of(new ServiceKey.ByFwmark(mark,
                            f.group(2) != null ? AddressFamily.INET6 : AddressFamily.INET));
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
