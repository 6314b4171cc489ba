package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.pharos.agent.config.KnownDisagreements.Check;
import dev.pharos.agent.config.KnownDisagreements.Entry;
import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/// Issue #21's corpus: every keepalived sample and every file of the project corpus goes through
/// real `keepalived -t` (2.2.7, in a fresh namespace that has every interface the file names) and
/// through Pharos's check-config path ([ConfigLoader#load(Path, String)]), and the two verdicts are
/// compared; for a file both accept, keepalived must also accept what `convert` writes
/// ([ConfigWriter]). Nothing here says what either program should answer for a given file.
///
/// Disagreements that are known and not fixed yet are listed in `corpus/known-disagreements.txt`, a
/// ratchet the test generates with `-Dcorpus.update=true`: a disagreement not in the list fails, and
/// so does a listed one that has gone. The full table goes to `target/corpus-report.md`.
class KeepalivedCorpusTest {

    static final Path CORPUS = Path.of("src/test/resources/corpus").toAbsolutePath();
    static final Path KNOWN = CORPUS.resolve("known-disagreements.txt");
    static final Path REPORT = Path.of("target/corpus-report.md").toAbsolutePath();
    /// Where keepalived's samples are read from: the shared test data, else Debian's package.
    static final List<Path> SAMPLE_DIRS = List.of(Path.of("/work/shared/keepalived-samples"),
            Path.of("/usr/share/doc/keepalived/samples"));
    static final boolean UPDATE = Boolean.getBoolean("corpus.update");
    /// The config id a file is read with when it has no `@ID` line.
    static final String DEFAULT_CONFIG_ID = "corpus";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Pattern CONDITIONAL = Pattern.compile("^@([^\\s^]\\S*)\\s", Pattern.MULTILINE);
    private static final Pattern MISSING_INCLUDE_LOG = Pattern.compile("Config files missing '([^']*)'");

    private static final List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    private static ExecutorService pharos;
    private static KnownDisagreements known;

    @BeforeAll
    static void needsKeepalived() {
        assumeTrue(Netns.available() && Keepalived.installed(),
                "the corpus needs root, iproute2 and keepalived 2.2.7 (.ci/run installs them)");
        known = KnownDisagreements.read(KNOWN);
        // A thread per file: one that overruns its deadline must not hold up the next file.
        pharos = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("corpus-check-config-", 0).daemon().factory());
    }

    @AfterAll
    static void writeReport() throws IOException {
        if (pharos == null) {
            return;
        }
        pharos.shutdownNow();
        var sorted = rows.stream().sorted(Comparator.comparing(Row::name)).toList();
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, CorpusReport.markdown(sorted), StandardCharsets.UTF_8);
        System.out.println(CorpusReport.summary(sorted) + "\nfull table: " + REPORT);
        if (UPDATE) {
            // A sample that did not run here (Debian's set lacks two files; a machine may have no
            // samples at all) keeps its entry; the project corpus always runs whole.
            var ran = sorted.stream().map(Row::name).collect(Collectors.toSet());
            var entries = new ArrayList<Entry>();
            known.entries().stream().filter(e -> !set(e.file()).equals("corpus") && !ran.contains(e.file()))
                    .forEach(entries::add);
            sorted.forEach(r -> entries.addAll(r.disagreements()));
            KnownDisagreements.write(KNOWN, entries);
            System.out.println("regenerated " + KNOWN + " (" + entries.size() + " entries)");
        }
    }

    @TestFactory
    Stream<DynamicTest> keepalivedSamples() {
        var dir = SAMPLE_DIRS.stream().filter(Files::isDirectory).findFirst();
        assumeTrue(dir.isPresent(), "keepalived's samples are in none of " + SAMPLE_DIRS + ": the sample set is skipped");
        // Debian's directory also holds a shell script and a gzipped one beside the configurations.
        return tests("samples", dir.get(), p -> {
            var name = p.getFileName().toString();
            return !name.equals("README.md") && !name.endsWith(".sh") && !name.endsWith(".gz");
        });
    }

    @TestFactory
    Stream<DynamicTest> projectCorpus() {
        return tests("corpus", CORPUS, p -> p.getFileName().toString().endsWith(".conf"));
    }

    /// An entry for a file that is no longer there would never come up to be removed.
    @Test
    void everyKnownDisagreementNamesAFileThatIsThere() {
        var primarySamples = SAMPLE_DIRS.getFirst();
        for (var e : known.entries()) {
            var name = e.file().substring(e.file().indexOf('/') + 1);
            switch (set(e.file())) {
                case "corpus" -> assertThat(CORPUS.resolve(name)).as(e.key() + " in " + KNOWN).isRegularFile();
                case "samples" -> {
                    if (Files.isDirectory(primarySamples)) {
                        assertThat(primarySamples.resolve(name)).as(e.key() + " in " + KNOWN).isRegularFile();
                    }
                }
                default -> fail(KNOWN + ": unknown set in " + e.key());
            }
        }
    }

    private static String set(String file) {
        return file.substring(0, file.indexOf('/'));
    }

    private Stream<DynamicTest> tests(String set, Path dir, Predicate<Path> include) {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).filter(include).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(files).as("files in " + dir).isNotEmpty();
        return files.stream().map(f -> dynamicTest(f.getFileName().toString(), () -> compare(set, f)));
    }

    private static void compare(String set, Path file) throws IOException {
        var row = run(set + "/" + file.getFileName(), file);
        rows.add(row);
        if (UPDATE) {
            return;
        }
        var problems = new ArrayList<String>();
        var found = row.disagreements();
        for (var check : Check.values()) {
            var now = found.stream().filter(e -> e.check() == check).findFirst();
            var listed = known.find(row.name(), check);
            if (now.isPresent() && listed.isEmpty()) {
                problems.add("new disagreement (" + check.label() + "): " + now.get().reason());
            } else if (now.isEmpty() && listed.isPresent()) {
                problems.add("listed in known-disagreements.txt but now agrees (" + check.label()
                        + "): regenerate the list with -Dcorpus.update=true so it only shrinks");
            }
        }
        if (!problems.isEmpty()) {
            fail(row.name() + ":\n  " + String.join("\n  ", problems) + "\n" + row.details());
        }
    }

    /// One file through keepalived and Pharos, in a namespace of its own.
    private static Row run(String name, Path file) throws IOException {
        var configId = configId(file);
        try (var net = Netns.create()) {
            var host = net.host("k");
            var made = new HashSet<>(Set.of("eth0"));
            addBridges(host, NamedInterfaces.in(file), made);
            var keepalived = keepalived(host, file, configId);
            var checked = checkConfig(file, configId);
            Optional<KeepalivedVerdict> converted = Optional.empty();
            if (keepalived.accepts() && checked.accepts()) {
                var dir = Files.createTempDirectory("pharos-corpus");
                try {
                    var written = dir.resolve("converted.conf");
                    Files.writeString(written, ConfigWriter.write(checked.loaded().config()), StandardCharsets.UTF_8);
                    addBridges(host, NamedInterfaces.in(written), made);
                    converted = Optional.of(keepalived(host, written, configId));
                } finally {
                    try (var left = Files.list(dir)) {
                        for (var f : left.toList()) {
                            Files.delete(f);
                        }
                    }
                    Files.delete(dir);
                }
            }
            return new Row(name, configId, keepalived, checked, converted);
        }
    }

    /// The id of the file's first `@ID` line, so its conditional lines are exercised; else a fixed
    /// id (never the host name, which would make the verdict depend on the machine).
    static String configId(Path file) throws IOException {
        var text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        var m = CONDITIONAL.matcher(text);
        return m.find() ? m.group(1) : DEFAULT_CONFIG_ID;
    }

    private static void addBridges(Netns.Host host, Set<String> names, Set<String> made) {
        for (var name : names) {
            if (made.add(name)) {
                Netns.run("ip", "-n", host.name(), "link", "add", "name", name, "type", "bridge");
                Netns.run("ip", "-n", host.name(), "link", "set", "dev", name, "up");
            }
        }
    }

    private static KeepalivedVerdict keepalived(Netns.Host host, Path file, String configId) {
        var result = Netns.exec(DEADLINE, "ip", "netns", "exec", host.name(),
                "/usr/sbin/keepalived", "-t", "-i", configId, "-f", file.toString());
        return KeepalivedVerdict.of(result.exitCode(), result.output());
    }

    /// check-config's path, in-process and bounded in time like keepalived.
    private static PharosVerdict checkConfig(Path file, String configId) {
        var task = pharos.submit(() -> {
            try {
                return PharosVerdict.of(ConfigLoader.load(file, configId));
            } catch (ConfigException e) {
                return PharosVerdict.of(e);
            } catch (RuntimeException e) {
                return PharosVerdict.crashed(e);
            }
        });
        try {
            return task.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            return PharosVerdict.crashed(new IllegalStateException("check-config did not finish in " + DEADLINE));
        } catch (ExecutionException e) {
            return PharosVerdict.crashed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PharosVerdict.crashed(e);
        }
    }

    /// What Pharos's check-config said: the loaded configuration, or its errors.
    record PharosVerdict(LoadedConfig loaded, List<String> errors, List<String> warnings) {

        static PharosVerdict of(LoadedConfig loaded) {
            return new PharosVerdict(loaded, List.of(), loaded.warnings().stream().map(PharosVerdict::shown).toList());
        }

        static PharosVerdict of(ConfigException e) {
            return new PharosVerdict(null, e.errors().stream().map(PharosVerdict::shown).toList(),
                    e.diagnostics().stream().filter(d -> !d.isError()).map(PharosVerdict::shown).toList());
        }

        static PharosVerdict crashed(Throwable e) {
            return new PharosVerdict(null, List.of("crashed: " + e), List.of());
        }

        boolean accepts() {
            return loaded != null;
        }

        /// `file:line:col: message` with the file's name only, so the report does not depend on
        /// where the project is checked out.
        private static String shown(Diagnostic d) {
            var p = d.position();
            if (p == null) {
                return d.message();
            }
            var file = p.file() == null || p.file().getFileName() == null ? "" : p.file().getFileName() + ":";
            return file + p.line() + ":" + p.column() + ": " + d.message();
        }
    }

    /// A difference Pharos makes on purpose (docs/configuration.md, "The corpus"), recognised from
    /// what both programs said, never from the file's name.
    enum Deliberate {
        /// keepalived 2.2.7 no longer knows `nat_mask`; Pharos warns and drops it so the seed loads.
        NAT_MASK("nat_mask: Pharos warns where keepalived reports an unknown keyword") {
            @Override
            boolean explains(KeepalivedVerdict k, PharosVerdict p) {
                return !k.accepts() && !k.errors().isEmpty() && k.errors().stream().allMatch(m -> m.contains("nat_mask"))
                        && p.accepts() && p.warnings().stream().anyMatch(w -> w.contains("nat_mask"));
            }
        },
        /// keepalived logs a missing literal include and runs without it; check-config refuses it,
        /// as issue #21 decides (a missing file is a mistake an administrator wants to hear about).
        MISSING_INCLUDE("a literal include that is missing: keepalived logs it and runs, check-config refuses it") {
            @Override
            boolean explains(KeepalivedVerdict k, PharosVerdict p) {
                var missing = k.advisories().stream().map(MISSING_INCLUDE_LOG::matcher).filter(Matcher::find)
                        .map(m -> Path.of(m.group(1)).getFileName().toString()).toList();
                return k.accepts() && k.errors().isEmpty() && !missing.isEmpty() && !p.accepts()
                        && p.errors().stream().allMatch(e -> missing.stream().anyMatch(e::contains));
            }
        };

        private final String description;

        Deliberate(String description) {
            this.description = description;
        }

        abstract boolean explains(KeepalivedVerdict k, PharosVerdict p);

        String description() {
            return description;
        }

        static Optional<Deliberate> explaining(KeepalivedVerdict k, PharosVerdict p) {
            return Stream.of(values()).filter(d -> d.explains(k, p)).findFirst();
        }
    }

    /// One file's results.
    record Row(String name, String configId, KeepalivedVerdict keepalived, PharosVerdict pharos,
            Optional<KeepalivedVerdict> converted) {

        boolean verdictsAgree() {
            return keepalived.accepts() == pharos.accepts();
        }

        Optional<Deliberate> deliberate() {
            return verdictsAgree() ? Optional.empty() : Deliberate.explaining(keepalived, pharos);
        }

        /// The disagreements this file shows, with short computed reasons.
        List<Entry> disagreements() {
            var out = new ArrayList<Entry>();
            if (!verdictsAgree() && deliberate().isEmpty()) {
                out.add(new Entry(name, Check.VERDICT, pharos.accepts()
                        ? "Pharos accepts what keepalived rejects: " + keepalived.firstError()
                        : "Pharos rejects what keepalived accepts: " + pharos.errors().getFirst()));
            }
            converted.filter(c -> !c.accepts()).ifPresent(c -> out.add(new Entry(name, Check.CONVERT,
                    "keepalived rejects convert output: " + c.firstError())));
            return out;
        }

        String details() {
            var text = new StringBuilder();
            text.append("config id: ").append(configId).append('\n');
            text.append("keepalived -t: exit ").append(keepalived.exitCode()).append(keepalived.accepts() ? ", accepts" : ", rejects")
                    .append('\n');
            keepalived.errors().forEach(m -> text.append("  error: ").append(m).append('\n'));
            keepalived.advisories().forEach(m -> text.append("  advisory: ").append(m).append('\n'));
            text.append("check-config: ").append(pharos.accepts() ? "accepts" : "rejects").append('\n');
            pharos.errors().forEach(m -> text.append("  error: ").append(m).append('\n'));
            pharos.warnings().forEach(m -> text.append("  warning: ").append(m).append('\n'));
            converted.ifPresent(c -> {
                text.append("keepalived -t on convert output: ").append(c.accepts() ? "accepts" : "rejects").append('\n');
                c.errors().forEach(m -> text.append("  error: ").append(m).append('\n'));
                c.advisories().forEach(m -> text.append("  advisory: ").append(m).append('\n'));
            });
            return text.toString();
        }
    }
}
