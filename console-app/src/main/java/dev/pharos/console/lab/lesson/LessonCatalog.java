package dev.pharos.console.lab.lesson;

import dev.pharos.agent.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/// The lessons shipped with the console: `dev/pharos/console/lab/lessons/index` in the console's
/// resources lists their files in teaching order, and the configuration files they name sit
/// beside them. Reads
/// resources, so the console calls it on its executor.
public final class LessonCatalog {

    /// The folder of the lessons among the console's resources.
    static final String FOLDER = "/dev/pharos/console/lab/lessons/";

    private LessonCatalog() {
    }

    /// The file names the index lists, in order.
    public static List<String> files() throws IOException {
        return resource("index").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /// Every lesson of the index, read; the first that does not read is a [LessonException].
    public static List<Lesson> all() throws IOException, LessonException {
        var out = new ArrayList<Lesson>();
        for (var file : files()) {
            out.add(LessonParser.parse(file, resource(file)));
        }
        return out;
    }

    /// What the lab of `lesson` runs: one configuration text per director, named after its file
    /// (`quorum/lvs-master.conf` runs as director `lvs-master`); the seed's pair when it names none.
    public static List<Director> lab(Lesson lesson) throws IOException {
        var out = new ArrayList<Director>();
        if (lesson.lab().isEmpty()) {
            for (var name : Lab.SEED) {
                out.add(new Director(name, Lab.resource(name + ".conf")));
            }
        } else {
            for (var file : lesson.lab()) {
                out.add(new Director(file.replaceFirst(".*/", "").replaceFirst("\\.conf$", ""), resource(file)));
            }
        }
        return out;
    }

    /// A trainer's own lesson file, read from disk (its lab's files are read beside it by
    /// [#lab(Lesson, Path)]).
    public static Lesson read(Path file) throws IOException, LessonException {
        return LessonParser.parse(file.getFileName().toString(), Files.readString(file));
    }

    /// As [#lab(Lesson)], for a lesson read from `file`: its configuration files are beside it.
    public static List<Director> lab(Lesson lesson, Path file) throws IOException {
        if (lesson.lab().isEmpty()) {
            return lab(lesson);
        }
        var out = new ArrayList<Director>();
        var folder = file.toAbsolutePath().getParent();
        for (var name : lesson.lab()) {
            out.add(new Director(name.replaceFirst(".*/", "").replaceFirst("\\.conf$", ""),
                    Files.readString(folder.resolve(name))));
        }
        return out;
    }

    /// One director of a lesson's lab and its configuration text.
    public record Director(String name, String configText) {
    }

    private static String resource(String name) throws IOException {
        try (var in = LessonCatalog.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IOException("the lesson file " + name + " is missing from the console's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
