package dev.pharos.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Keeps the console's layering: its packages depend on each other one way only; the model and the
/// view models stay free of the scene graph, so they can be read and tested without a window; and
/// what draws never touches a connection, the protocol or a file.
class ConsoleArchitectureTest {

    private static final String ROOT = "dev.pharos.console";

    /// A view: any class that uses the scene graph (controls, shapes, layouts, dialogs).
    private static final DescribedPredicate<JavaClass> VIEWS = DescribedPredicate.describe("use the scene graph",
            c -> c.getDirectDependenciesFromSelf().stream()
                    .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("javafx.scene")));

    /// The composition root: it builds the connections, the models and the window, and asks the
    /// operator about host keys and passphrases on the connections' behalf.
    private static final DescribedPredicate<JavaClass> COMPOSITION_ROOT = DescribedPredicate.describe(
            "the application (composition root)", c -> c.getName().startsWith(ROOT + ".PharosApp"));

    private static JavaClasses console;

    @BeforeAll
    static void importConsole() {
        console = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    /// One slice per package, the root package (the application and its window) included: the
    /// usual `dev.pharos.console.(*)..` leaves the root out and so missed the window ↔ lab cycle.
    @Test
    void noCyclesBetweenPackages() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                var name = javaClass.getPackageName();
                if (name.equals(ROOT)) {
                    return SliceIdentifier.of("(root)");
                }
                if (!name.startsWith(ROOT + ".")) {
                    return SliceIdentifier.ignore();
                }
                return SliceIdentifier.of(name.substring(ROOT.length() + 1).split("\\.")[0]);
            }

            @Override
            public String getDescription() {
                return ROOT + " and each of its sub-packages";
            }
        }).should().beFreeOfCycles().check(console);
    }

    @Test
    void theModelImportsNoSceneGraph() {
        noClasses().that().resideInAPackage(ROOT + ".model..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..")
                .check(console);
    }

    /// A file chooser answers with a `java.io.File`: a view may take its name and hand it to a view
    /// model, which reads or writes it on the executor. Reading or writing it, `java.nio.file` or a
    /// stream, is for view models.
    @Test
    void viewsTouchNoConnectionProtocolOrFile() {
        noClasses().that(VIEWS).and(DescribedPredicate.not(COMPOSITION_ROOT))
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".connect..", "dev.pharos.agent..",
                        "com.fasterxml.jackson..", "java.nio.file..")
                .orShould().dependOnClassesThat().haveNameMatching(
                        "java\\.io\\.(File(Input|Output)Stream|FileReader|FileWriter|RandomAccessFile)")
                .check(console);
    }

    @Test
    void viewModelsUseNoSceneGraph() {
        noClasses().that().haveSimpleNameEndingWith("ViewModel")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .check(console);
    }
}
