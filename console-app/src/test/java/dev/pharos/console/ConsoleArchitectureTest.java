package dev.pharos.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Keeps the console's layering: its packages depend on each other one way only, and the model
/// stays free of the scene graph so that it can be read and tested without a window.
class ConsoleArchitectureTest {

    private static final String ROOT = "dev.pharos.console";

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
}
