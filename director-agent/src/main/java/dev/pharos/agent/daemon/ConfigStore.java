package dev.pharos.agent.daemon;

import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/// The configuration file the agent runs from, and how edits are written back to it.
///
/// A write is atomic and durable: the new text goes to a temporary file in the same directory,
/// is fsynced, and renamed over the file (then the directory is fsynced), so a crash leaves either
/// the old or the new file, never half of one. The previous version is kept under the state
/// directory's `history/`, stamped with the time, the newest [#HISTORY] of them.
///
/// The revision is a digest of the configuration as Pharos writes it, so it names the content:
/// it survives restarts, and a comment-only change to the file does not make consoles stale.
public final class ConfigStore {

    private static final System.Logger LOG = System.getLogger(ConfigStore.class.getName());
    static final int HISTORY = 20;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*include\\s");

    private final Path file;
    private final Path history;
    private final Clock clock;

    public ConfigStore(Path file, Path stateDir, Clock clock) {
        this.file = file.toAbsolutePath();
        this.history = stateDir.resolve("history");
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /// The revision of a configuration: 16 hex digits of the SHA-256 of its canonical text.
    public static String revision(KeepalivedConfig config) {
        try {
            var digest = MessageDigest.getInstance("SHA-256")
                    .digest(ConfigWriter.write(config).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /// Writes `config` as the new file, keeping the old one in the history. Throws, with the file
    /// untouched, when any step fails.
    public void save(KeepalivedConfig config) throws IOException {
        save(ConfigWriter.write(config));
    }

    /// Writes `text` as the new file (used by `config.apply`, which keeps the operator's text).
    public void save(String text) throws IOException {
        if (Files.exists(file)) {
            var old = Files.readString(file, StandardCharsets.UTF_8);
            if (INCLUDE.matcher(old).find() && !INCLUDE.matcher(text).find()) {
                LOG.log(Level.WARNING, "{0} used include files; the edited configuration is written whole into it "
                        + "(the included files stay on disk, no longer included)", file);
            }
            Files.createDirectories(history);
            var kept = history.resolve(file.getFileName() + "." + STAMP.format(clock.instant()));
            Files.copy(file, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            prune();
        }
        var dir = file.getParent();
        var tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var bytes = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            if (Files.exists(file)) {
                // Keep the file's mode: config files are often 0600 or 0640.
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
            try (var d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "fsync of {0} failed: {1}", dir, e.getMessage());
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void prune() throws IOException {
        var prefix = file.getFileName() + ".";
        try (var s = Files.list(history)) {
            var kept = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
            for (int i = 0; i < kept.size() - HISTORY; i++) {
                Files.deleteIfExists(kept.get(i));
            }
        }
    }

    /// The kept previous versions, oldest first.
    public java.util.List<Path> history() throws IOException {
        if (!Files.isDirectory(history)) {
            return java.util.List.of();
        }
        var prefix = file.getFileName() + ".";
        try (var s = Files.list(history)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
