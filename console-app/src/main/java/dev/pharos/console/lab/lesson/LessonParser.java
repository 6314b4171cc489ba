package dev.pharos.console.lab.lesson;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/// Reads a lesson file. The format is plain text a trainer writes in any editor:
///
/// ```
/// # a comment
/// lesson: Graceful failover and preemption back
/// about: What a graceful stop does, and why lvs-master takes VI_1 back.
/// lab: seed
///
/// step: Stop lvs-master
/// say: A graceful stop sends one advert with priority 0:
///   lvs-backup takes over after Skew_Time.
/// do: stop lvs-master
/// expect: lvs-backup becomes MASTER of VI_1 within 5 s
/// picture: yes
/// ```
///
/// Each line is `key: value`; an indented line continues the `say:` or `about:` before it. `lab:`
/// names the configuration files beside the lesson, one per director (`seed`, the default, is the
/// seed's pair). A step has a `say:`, any number of `do:` and at least one `expect:`. Every error
/// says `file:line:col`.
public final class LessonParser {

    private static final Duration DEFAULT_WITHIN = Duration.ofSeconds(20);
    private static final Set<String> STATES = Set.of("MASTER", "BACKUP", "FAULT", "STOPPED", "INIT");
    private static final String ACTIONS = "stop D, kill D, start D, fail S, restore S, drain S, undrain S, weight S N, "
            + "priority D I N, cut the link, heal the link";
    private static final String OBSERVATIONS = "D is|becomes MASTER|BACKUP|FAULT|STOPPED of I; V answers [through D] "
            + "[from S]; V answers again after at most N s; V stays on S; S is up|down on D; "
            + "S has weight N on D; D runs I at priority N; V is held by D [and D]; I is [not] marked SPLIT BRAIN; "
            + "quorum of V is lost|up on D "
            + "(each may end with: for N s, within N s, not before N s)";

    private final String file;
    private String title;
    private final StringBuilder about = new StringBuilder();
    private List<String> lab = List.of();
    private final List<Lesson.Step> steps = new ArrayList<>();
    private StepDraft step;
    /// What an indented line continues (the step's `say:` or the lesson's `about:`), or null.
    private StringBuilder continues;

    private LessonParser(String file) {
        this.file = file;
    }

    /// Reads `text`, the content of lesson file `file`.
    public static Lesson parse(String file, String text) throws LessonException {
        return new LessonParser(file).read(text);
    }

    /// A word of a value and the column it starts at (1-based).
    private record Word(String text, int column) {
    }

    private static final class StepDraft {
        final String title;
        final int line;
        final StringBuilder narration = new StringBuilder();
        final List<Action> actions = new ArrayList<>();
        final List<Observation> observations = new ArrayList<>();
        boolean said;
        boolean picture;

        StepDraft(String title, int line) {
            this.title = title;
            this.line = line;
        }
    }

    private Lesson read(String text) throws LessonException {
        var lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            line(i + 1, lines[i]);
        }
        int end = lines.length;
        finishStep(end);
        if (title == null) {
            throw new LessonException(file, 1, 1, "the lesson has no title: start it with 'lesson: <title>'");
        }
        if (steps.isEmpty()) {
            throw new LessonException(file, end, 1, "the lesson has no step: add one with 'step: <title>'");
        }
        return new Lesson(file, title, about.toString(), lab, steps);
    }

    private void line(int n, String line) throws LessonException {
        var trimmed = line.strip();
        if (trimmed.isEmpty()) {
            continues = null;
            return;
        }
        if (trimmed.startsWith("#")) {
            return;
        }
        int indent = line.indexOf(trimmed.charAt(0));
        if (indent > 0) {
            if (continues == null) {
                throw new LessonException(file, n, indent + 1,
                        "an indented line continues the say: or about: line above it, and there is none");
            }
            continues.append(' ').append(trimmed);
            return;
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || !line.substring(0, colon).matches("[a-z]+")) {
            throw new LessonException(file, n, 1, "expected 'key: value' (lesson, about, lab, step, say, do, expect, "
                    + "picture), or an indented line continuing a say:");
        }
        var key = line.substring(0, colon);
        var rest = line.substring(colon + 1);
        var value = rest.strip();
        int column = colon + 2 + rest.length() - rest.stripLeading().length();
        if (value.isEmpty()) {
            throw new LessonException(file, n, colon + 2, key + ": needs a value");
        }
        continues = null;
        switch (key) {
            case "lesson" -> {
                if (title != null) {
                    throw new LessonException(file, n, 1, "a second lesson: line; a file holds one lesson");
                }
                title = value;
            }
            case "about" -> {
                outsideSteps(n, key);
                about.setLength(0);
                about.append(value);
                continues = about;
            }
            case "lab" -> {
                outsideSteps(n, key);
                var files = words(value, column);
                if (files.size() == 1 && files.getFirst().text().equals("seed")) {
                    lab = List.of();
                } else {
                    for (var w : files) {
                        if (!w.text().endsWith(".conf")) {
                            throw new LessonException(file, n, w.column(),
                                    "lab: names 'seed' or configuration files ending in .conf, one per director");
                        }
                    }
                    lab = files.stream().map(Word::text).toList();
                }
            }
            case "step" -> {
                finishStep(n);
                step = new StepDraft(value, n);
            }
            case "say" -> {
                inStep(n, key);
                if (step.said) {
                    throw new LessonException(file, n, 1, "a second say: in this step; continue the first one on "
                            + "indented lines");
                }
                step.said = true;
                step.narration.append(value);
                continues = step.narration;
            }
            case "do" -> {
                inStep(n, key);
                step.actions.add(action(n, value, words(value, column)));
            }
            case "expect" -> {
                inStep(n, key);
                step.observations.add(observation(n, value, words(value, column)));
            }
            case "picture" -> {
                inStep(n, key);
                if (!value.equals("yes")) {
                    throw new LessonException(file, n, column, "picture: yes marks the lesson's key moment; nothing "
                            + "else is meant");
                }
                step.picture = true;
            }
            default -> throw new LessonException(file, n, 1, "unknown key '" + key
                    + "': lesson, about, lab, step, say, do, expect, picture");
        }
    }

    private void outsideSteps(int n, String key) throws LessonException {
        if (step != null || !steps.isEmpty()) {
            throw new LessonException(file, n, 1, key + ": belongs before the first step");
        }
    }

    private void inStep(int n, String key) throws LessonException {
        if (step == null) {
            throw new LessonException(file, n, 1, key + ": belongs to a step; start one with 'step: <title>' first");
        }
    }

    private void finishStep(int n) throws LessonException {
        if (step == null) {
            return;
        }
        if (!step.said) {
            throw new LessonException(file, step.line, 1, "step '" + step.title + "' has no say: (what the trainer "
                    + "tells the class)");
        }
        if (step.observations.isEmpty()) {
            throw new LessonException(file, step.line, 1, "step '" + step.title + "' has no expect: (what the class "
                    + "should see)");
        }
        steps.add(new Lesson.Step(step.title, step.narration.toString(), step.actions, step.observations,
                step.picture, step.line));
        step = null;
    }

    private static List<Word> words(String value, int column) {
        var out = new ArrayList<Word>();
        int i = 0;
        while (i < value.length()) {
            while (i < value.length() && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < value.length() && !Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(new Word(value.substring(start, i), column + start));
            }
        }
        return out;
    }

    private Action action(int n, String text, List<Word> w) throws LessonException {
        var verb = w.getFirst().text();
        switch (verb) {
            case "stop", "kill", "start" -> {
                arity(n, w, 2, verb + " D (a director)");
                var v = switch (verb) {
                    case "stop" -> Action.Director.Verb.STOP;
                    case "kill" -> Action.Director.Verb.KILL;
                    default -> Action.Director.Verb.START;
                };
                return new Action.Director(text, v, w.get(1).text());
            }
            case "fail", "restore", "drain", "undrain" -> {
                arity(n, w, 2, verb + " S (a real server: its name or address)");
                var v = switch (verb) {
                    case "fail" -> Action.RealServer.Verb.FAIL;
                    case "restore" -> Action.RealServer.Verb.RESTORE;
                    case "drain" -> Action.RealServer.Verb.DRAIN;
                    default -> Action.RealServer.Verb.UNDRAIN;
                };
                return new Action.RealServer(text, v, w.get(1).text());
            }
            case "weight" -> {
                arity(n, w, 3, "weight S N");
                return new Action.Weight(text, w.get(1).text(), integer(n, w.get(2), 0, 65535));
            }
            case "priority" -> {
                arity(n, w, 4, "priority D I N");
                return new Action.Priority(text, w.get(1).text(), w.get(2).text(), integer(n, w.get(3), 1, 254));
            }
            case "cut", "heal" -> {
                if (w.size() != 3 || !w.get(1).text().equals("the") || !w.get(2).text().equals("link")) {
                    throw new LessonException(file, n, w.getFirst().column(), "write '" + verb + " the link'");
                }
                return new Action.Link(text, verb.equals("cut"));
            }
            default -> throw new LessonException(file, n, w.getFirst().column(),
                    "unknown action '" + verb + "': " + ACTIONS);
        }
    }

    private void arity(int n, List<Word> w, int size, String form) throws LessonException {
        if (w.size() != size) {
            var at = w.size() > size ? w.get(size) : w.getLast();
            throw new LessonException(file, n, at.column() + (w.size() > size ? 0 : at.text().length()),
                    "write '" + form + "'");
        }
    }

    private Observation observation(int n, String text, List<Word> all) throws LessonException {
        var w = new ArrayList<>(all);
        var within = DEFAULT_WITHIN;
        var notBefore = Duration.ZERO;
        var lasting = Duration.ZERO;
        boolean more = true;
        while (more) {
            more = false;
            if (ends(w, "within", "*", "s")) {
                within = seconds(n, w.get(w.size() - 2));
                w.subList(w.size() - 3, w.size()).clear();
                more = true;
            } else if (ends(w, "for", "*", "s")) {
                lasting = seconds(n, w.get(w.size() - 2));
                w.subList(w.size() - 3, w.size()).clear();
                more = true;
            } else if (ends(w, "not", "before", "*", "s")) {
                notBefore = seconds(n, w.get(w.size() - 2));
                w.subList(w.size() - 4, w.size()).clear();
                more = true;
            }
        }
        if (notBefore.compareTo(within) >= 0) {
            throw new LessonException(file, n, all.getFirst().column(), "'not before' must be sooner than 'within'");
        }
        if (lasting.compareTo(within) >= 0) {
            throw new LessonException(file, n, all.getFirst().column(), "'for' must be shorter than 'within'");
        }
        return new Observation(text, condition(n, w, all.getFirst().column()), within, notBefore, lasting);
    }

    private Observation.Condition condition(int n, List<Word> w, int column) throws LessonException {
        var t = w.stream().map(Word::text).toList();
        if (t.size() == 5 && (t.get(1).equals("is") || t.get(1).equals("becomes")) && t.get(3).equals("of")) {
            if (!STATES.contains(t.get(2))) {
                throw new LessonException(file, n, w.get(2).column(), "a VRRP state is MASTER, BACKUP, FAULT, STOPPED "
                        + "or INIT");
            }
            return new Observation.State(t.get(0), t.get(4), t.get(2));
        }
        if (t.size() >= 2 && t.get(1).equals("answers")) {
            if (t.size() == 8 && t.subList(2, 6).equals(List.of("again", "after", "at", "most")) && t.get(7).equals("s")) {
                return new Observation.AnswersAgain(t.get(0), seconds(n, w.get(6)));
            }
            String through = null;
            String from = null;
            int i = 2;
            while (i + 1 < t.size() && (t.get(i).equals("through") || t.get(i).equals("from"))) {
                if (t.get(i).equals("through")) {
                    through = t.get(i + 1);
                } else {
                    from = t.get(i + 1);
                }
                i += 2;
            }
            if (i == t.size()) {
                return new Observation.Answers(t.get(0), through, from);
            }
        }
        if (t.size() == 4 && t.get(1).equals("stays") && t.get(2).equals("on")) {
            return new Observation.StaysOn(t.get(0), t.get(3));
        }
        if (t.size() == 5 && t.get(1).equals("is") && (t.get(2).equals("up") || t.get(2).equals("down"))
                && t.get(3).equals("on")) {
            return new Observation.Health(t.get(0), t.get(4), t.get(2).equals("up"));
        }
        if (t.size() == 6 && t.get(1).equals("has") && t.get(2).equals("weight") && t.get(4).equals("on")) {
            return new Observation.Weight(t.get(0), t.get(5), integer(n, w.get(3), 0, 65535));
        }
        if (t.size() == 6 && t.get(1).equals("runs") && t.get(3).equals("at") && t.get(4).equals("priority")) {
            return new Observation.Priority(t.get(0), t.get(2), integer(n, w.get(5), 0, 255));
        }
        if (t.size() >= 5 && t.get(1).equals("is") && t.get(2).equals("held") && t.get(3).equals("by")) {
            var holders = new LinkedHashSet<String>();
            for (int i = 4; i < t.size(); i += 2) {
                holders.add(t.get(i));
                if (i + 1 < t.size() && (!t.get(i + 1).equals("and") || i + 2 >= t.size())) {
                    throw new LessonException(file, n, w.get(i + 1).column(), "write 'V is held by D and D'");
                }
            }
            return new Observation.HeldBy(t.get(0), holders);
        }
        if (t.size() >= 5 && t.get(1).equals("is") && t.subList(t.size() - 3, t.size())
                .equals(List.of("marked", "SPLIT", "BRAIN")) && (t.size() == 5 || t.size() == 6 && t.get(2).equals("not"))) {
            return new Observation.SplitBrain(t.get(0), t.size() == 5);
        }
        if (t.size() == 7 && t.get(0).equals("quorum") && t.get(1).equals("of") && t.get(3).equals("is")
                && (t.get(4).equals("lost") || t.get(4).equals("up")) && t.get(5).equals("on")) {
            return new Observation.Quorum(t.get(2), t.get(6), t.get(4).equals("up"));
        }
        throw new LessonException(file, n, column, "cannot read this observation; write one of: " + OBSERVATIONS);
    }

    private static boolean ends(List<Word> w, String... tail) {
        if (w.size() <= tail.length) {
            return false;
        }
        for (int i = 0; i < tail.length; i++) {
            var word = w.get(w.size() - tail.length + i).text();
            if (!tail[i].equals("*") && !tail[i].equals(word)) {
                return false;
            }
        }
        return true;
    }

    private Duration seconds(int n, Word w) throws LessonException {
        try {
            var s = new BigDecimal(w.text());
            if (s.signum() < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(s.movePointRight(3).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new LessonException(file, n, w.column(), "'" + w.text() + "' is not a number of seconds");
        }
    }

    private int integer(int n, Word w, int min, int max) throws LessonException {
        try {
            int v = Integer.parseInt(w.text());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new LessonException(file, n, w.column(), "'" + w.text() + "' is not a whole number from " + min + " to "
                + max);
    }
}
