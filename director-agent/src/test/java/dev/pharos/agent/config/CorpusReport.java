package dev.pharos.agent.config;

import dev.pharos.agent.config.KeepalivedCorpusTest.Row;
import java.util.List;
import java.util.TreeMap;

/// The corpus test's output: the table of every file and the summary, grouped by cause.
final class CorpusReport {

    private CorpusReport() {
    }

    static String markdown(List<Row> rows) {
        var text = new StringBuilder("# keepalived 2.2.7 `-t` against Pharos check-config\n\n")
                .append(summary(rows)).append("\n\n")
                .append("| file | keepalived -t | check-config | agree | convert output under keepalived -t |\n")
                .append("|---|---|---|---|---|\n");
        for (var r : rows) {
            var k = r.keepalived();
            var p = r.pharos();
            var agree = r.verdictsAgree() ? "yes" : r.deliberate().map(d -> "documented: " + d.description()).orElse("**no**");
            text.append("| ").append(cell(r.name()))
                    .append(" | ").append(cell(k.accepts() ? accepted(k.advisories().size(), "advisory", "advisories")
                            : "rejects: " + k.firstError()))
                    .append(" | ").append(cell(p.accepts() ? accepted(p.warnings().size(), "warning", "warnings")
                            : "rejects: " + p.errors().getFirst()))
                    .append(" | ").append(agree)
                    .append(" | ").append(r.converted().map(c -> c.accepts() ? "accepts" : "**rejects**: " + cell(c.firstError()))
                            .orElse("–"))
                    .append(" |\n");
        }
        text.append("\n## What each program said\n");
        for (var r : rows) {
            text.append("\n### ").append(r.name()).append("\n\n```\n").append(r.details()).append("```\n");
        }
        return text.toString();
    }

    static String summary(List<Row> rows) {
        var causes = new TreeMap<String, Integer>();
        for (var r : rows) {
            for (var e : r.disagreements()) {
                var cause = switch (e.check()) {
                    case VERDICT -> r.pharos().accepts() ? "Pharos accepts, keepalived rejects"
                            : "Pharos rejects, keepalived accepts";
                    case CONVERT -> "keepalived rejects convert output";
                };
                causes.merge(cause, 1, Integer::sum);
            }
        }
        var agree = rows.stream().filter(Row::verdictsAgree).count();
        var documented = rows.stream().filter(r -> r.deliberate().isPresent()).count();
        var text = new StringBuilder(String.format(
                "Corpus: %d files; verdicts agree on %d, differ as documented on %d; %d disagreements.",
                rows.size(), agree, documented, causes.values().stream().mapToInt(Integer::intValue).sum()));
        causes.forEach((cause, n) -> text.append("\n- ").append(cause).append(": ").append(n));
        return text.toString();
    }

    private static String accepted(int n, String one, String many) {
        return n == 0 ? "accepts" : "accepts (" + n + " " + (n == 1 ? one : many) + ")";
    }

    private static String cell(String text) {
        var flat = text.replace('\n', ' ').replace("|", "\\|");
        return flat.length() > 160 ? flat.substring(0, 157) + "..." : flat;
    }
}
