package dev.pharos.agent.daemon;

import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.SourceText;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/// The configuration file the agent runs from, and how edits are written back to it.
///
/// An edit writes only the files it changed ([#save(Map)]: the lossless editor changes the file
/// that defines what it edits, an included one too); `config.apply` writes the operator's whole
/// text into the configuration file ([#save(String)]).
///
/// A write is atomic and durable: the new text goes to a temporary file in the same directory,
/// is fsynced, and renamed over the file (then the directory is fsynced), so a crash leaves either
/// the old or the new file, never half of one. The previous version is kept under the state
/// directory's `history/`, stamped with the time, the newest [#HISTORY] of them.
///
/// The revision is a digest of the configuration as Pharos writes it, so it names the content:
/// it survives restarts, and a comment-only change to the file does not make consoles stale.
///
/// The configuration file's own text, as the agent last read or wrote it, is what `config.get`
/// returns ([#text()]): comments, `@ID` lines, includes and layout as the operator wrote them.
///
/// A hand edit is never lost: the store remembers a digest of the bytes of each file as the agent
/// last read ([#remember]) or wrote them, and refuses to write over a file whose bytes changed
/// since ([ChangedOnDiskException]). A write interrupted by a crash leaves a temporary file; the
/// next start removes it ([#removeLeftovers]).
public final class ConfigStore {

    private static final System.Logger LOG = System.getLogger(ConfigStore.class.getName());
    static final int HISTORY = 20;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*include\\s");
    /// What [Files#createTempFile] makes of the prefix and suffix [#save] gives it: random digits between.
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path file;
    private final Path history;
    private final Clock clock;
    /// SHA-256 of each file's bytes as last read, the configuration file first (null for a file
    /// in [#written]); empty before the first [#remember] (then nothing is compared).
    private final Map<Path, byte[]> known = new LinkedHashMap<>();
    /// The bytes of each file this store wrote last (since it last read them): the file is
    /// compared with them, byte for byte, rather than hashed again, which costs more on a large
    /// file, on every edit, twice.
    private final Map<Path, byte[]> written = new HashMap<>();
    /// The configuration file's text as last read or written, with the charset that gives its
    /// bytes back (empty before the first [#remember]); out of date while [#undecoded] holds newer bytes.
    private SourceText.Decoded text = new SourceText.Decoded("", StandardCharsets.UTF_8);
    /// The bytes of the configuration file as last written, decoded into [#text] when first
    /// asked for: an edit does not decode a file nobody reads before the next edit.
    private byte[] undecoded;

    /// What [#snapshot] read: each file's digest (the configuration file first), and the
    /// configuration file's text.
    public record Snapshot(Map<Path, byte[]> digests, SourceText.Decoded text) {
        public Snapshot {
            digests = Collections.unmodifiableMap(new LinkedHashMap<>(digests));
        }
    }

    /// The file was changed on disk since the agent read or wrote it: nothing was written.
    public static final class ChangedOnDiskException extends IOException {
        ChangedOnDiskException(Path changed) {
            super(changed + " is not as the agent last read or wrote it");
        }
    }

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
        return revision(ConfigWriter.write(config));
    }

    /// The revision of a configuration [ConfigWriter] wrote as `canonical`.
    public static String revision(String canonical) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /// The files' digests as they are on disk now, the configuration file first (a missing file
    /// maps to no bytes), and its text, for [#remember] once what was read from them is running.
    public Snapshot snapshot(Collection<Path> files) throws IOException {
        var out = new LinkedHashMap<Path, byte[]>();
        byte[] main = null;
        try {
            main = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            // a missing file maps to no bytes, as in [#digest]
        }
        out.put(file, main == null ? new byte[0] : sha256(main));
        for (var f : files) {
            var p = f.toAbsolutePath();
            if (!out.containsKey(p)) {
                out.put(p, digest(p));
            }
        }
        return new Snapshot(out, SourceText.decode(main == null ? new byte[0] : main));
    }

    /// The agent now runs what these files held (a start or a reload read them).
    public synchronized void remember(Snapshot snapshot) {
        known.clear();
        written.clear();
        known.putAll(snapshot.digests());
        text = snapshot.text();
        undecoded = null;
    }

    private SourceText.Decoded decoded() {
        if (undecoded != null) {
            text = SourceText.decode(undecoded);
            undecoded = null;
        }
        return text;
    }

    /// The configuration file's text as the agent last read or wrote it: what it runs, with the
    /// operator's comments and layout (a hand edit not yet reloaded is not in it).
    public synchronized String text() {
        return decoded().text();
    }

    /// The configuration file and the files it includes, as the agent last read or wrote them.
    public synchronized List<Path> files() {
        return List.copyOf(known.keySet());
    }

    /// The files the configuration file includes, as the agent last read them, in the order read.
    public synchronized List<Path> included() {
        return known.keySet().stream().filter(p -> !p.equals(file)).toList();
    }

    /// Also remembers the bytes of `included` as they are now (those not yet known), after
    /// [#save(String)] wrote a text that includes them: a later hand edit of one is then found.
    public synchronized void learn(Collection<Path> included) throws IOException {
        for (var f : included) {
            var p = f.toAbsolutePath().normalize();
            if (!known.containsKey(p)) {
                known.put(p, digest(p));
            }
        }
    }

    /// Throws [ChangedOnDiskException] naming the first file whose bytes are not those the
    /// agent last read or wrote.
    public synchronized void checkUnchanged() throws IOException {
        for (var e : known.entrySet()) {
            var mine = written.get(e.getKey());
            if (mine != null ? !Arrays.equals(mine, bytesOrNull(e.getKey()))
                    : !MessageDigest.isEqual(e.getValue(), digest(e.getKey()))) {
                throw new ChangedOnDiskException(e.getKey());
            }
        }
    }

    private static byte[] bytesOrNull(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /// Removes what an interrupted [#save] left: only this store's own temporary names
    /// (`.FILE<digits>.tmp`), only beside the configuration file and the `included` files an edit
    /// may write. Run at start, before anyone writes.
    public void removeLeftovers(Collection<Path> included) throws IOException {
        var files = new LinkedHashSet<Path>();
        files.add(file);
        included.forEach(f -> files.add(f.toAbsolutePath().normalize()));
        for (var f : files) {
            removeLeftovers(f);
        }
    }

    private void removeLeftovers(Path target) throws IOException {
        var dir = target.getParent();
        var mine = Pattern.compile(Pattern.quote("." + target.getFileName()) + "[0-9]+" + Pattern.quote(TEMP_SUFFIX));
        var removed = new ArrayList<String>();
        try (var s = Files.list(dir)) {
            for (var p : s.toList()) {
                if (mine.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    removed.add(p.getFileName().toString());
                }
            }
        }
        if (!removed.isEmpty()) {
            LOG.log(Level.INFO, "removed {0} temporary file(s) an interrupted write left in {1}: {2}", removed.size(),
                    dir, String.join(", ", removed));
        }
    }

    /// Writes `text` as the new file (used by `config.apply`, which keeps the operator's text), in
    /// the charset the file was in when it can hold the text (a file read as ISO-8859-1 keeps the
    /// bytes of its accented comments), else UTF-8. Throws [ChangedOnDiskException], writing
    /// nothing, when a file changed on disk since the agent read or wrote it; after the write the
    /// store knows the new bytes and no included file (the caller [#learn]s those the new text
    /// includes).
    public synchronized void save(String text) throws IOException {
        checkUnchanged();
        if (Files.exists(file)) {
            // Decoded as it was read: a file in ISO-8859-1 is no error here.
            var old = SourceText.decode(Files.readAllBytes(file)).text();
            if (INCLUDE.matcher(old).find() && !INCLUDE.matcher(text).find()) {
                LOG.log(Level.WARNING, "{0} used include files; the edited configuration is written whole into it "
                        + "(the included files stay on disk, no longer included)", file);
            }
            keep(file);
        }
        var was = decoded().charset();
        var charset = was.newEncoder().canEncode(text) ? was : StandardCharsets.UTF_8;
        var bytes = text.getBytes(charset);
        write(file, bytes);
        known.clear();
        written.clear();
        wrote(file, bytes);
        this.text = new SourceText.Decoded(text, charset);
    }

    /// The store knows `target` as the bytes it has just written there.
    private void wrote(Path target, byte[] bytes) {
        known.put(target, null);
        written.put(target, bytes);
    }

    /// Writes the files an edit changed, each as [#save(String)] writes one (atomically, its
    /// previous version kept in the history); the store keeps knowing the files it did not write.
    /// Throws [ChangedOnDiskException], writing nothing, when any file changed on disk since the
    /// agent read or wrote it.
    public synchronized void save(Map<Path, byte[]> changed) throws IOException {
        checkUnchanged();
        for (var target : changed.keySet()) {
            if (Files.exists(target)) {
                keep(target);
            }
        }
        for (var e : changed.entrySet()) {
            write(e.getKey(), e.getValue());
            wrote(e.getKey(), e.getValue());
        }
        changedText(changed);
    }

    /// Follows a write of the configuration file among `files` in [#text()].
    private void changedText(Map<Path, byte[]> files) {
        var bytes = files.get(file);
        if (bytes != null) {
            undecoded = bytes;
        }
    }

    /// The bytes of `files` as they are now (a missing file left out): what the lossless editor
    /// edits, and what [#restore] puts back should applying what [#save] wrote fail.
    public synchronized Map<Path, byte[]> read(Collection<Path> files) throws IOException {
        var out = new LinkedHashMap<Path, byte[]>();
        for (var f : files) {
            var p = f.toAbsolutePath().normalize();
            if (!out.containsKey(p) && Files.exists(p)) {
                out.put(p, Files.readAllBytes(p));
            }
        }
        return out;
    }

    private void keep(Path target) throws IOException {
        Files.createDirectories(history);
        var kept = history.resolve(target.getFileName() + "." + STAMP.format(clock.instant()));
        Files.copy(target, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        prune(target.getFileName() + ".");
    }

    /// Puts back the bytes [#read] returned before a [#save] whose change could not be applied; no
    /// history entry (the version it replaces never ran). Refuses, like [#save], to write over a
    /// file someone changed meanwhile.
    public synchronized void restore(Map<Path, byte[]> files) throws IOException {
        checkUnchanged();
        for (var e : files.entrySet()) {
            write(e.getKey(), e.getValue());
            wrote(e.getKey(), e.getValue());
        }
        changedText(files);
    }

    private void write(Path target, byte[] bytesOut) throws IOException {
        var dir = target.getParent();
        var tmp = Files.createTempFile(dir, "." + target.getFileName(), TEMP_SUFFIX);
        try {
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var bytes = ByteBuffer.wrap(bytesOut);
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            if (Files.exists(target)) {
                // Keep the file's mode: config files are often 0600 or 0640.
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
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

    private static byte[] digest(Path p) throws IOException {
        try {
            return sha256(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private void prune(String prefix) throws IOException {
        try (var s = Files.list(history)) {
            var kept = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
            for (int i = 0; i < kept.size() - HISTORY; i++) {
                Files.deleteIfExists(kept.get(i));
            }
        }
    }

    /// The kept previous versions, oldest first.
    public List<Path> history() throws IOException {
        if (!Files.isDirectory(history)) {
            return List.of();
        }
        var prefix = file.getFileName() + ".";
        try (var s = Files.list(history)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
