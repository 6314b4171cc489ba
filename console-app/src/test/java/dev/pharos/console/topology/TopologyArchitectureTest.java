package dev.pharos.console.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// The topology's split between views and their view model: a class that uses the scene graph
/// touches neither a connection, the protocol nor a file; the view model uses no scene graph.
class TopologyArchitectureTest {

    private static JavaClasses topology;

    /// A view: any class that uses the scene graph.
    private static final DescribedPredicate<JavaClass> VIEWS = DescribedPredicate.describe("use the scene graph",
            c -> c.getDirectDependenciesFromSelf().stream()
                    .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("javafx.scene")));

    @BeforeAll
    static void importTopology() {
        topology = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.pharos.console.topology");
    }

    @Test
    void viewsTouchNoConnectionProtocolOrFile() {
        noClasses().that(VIEWS).should().dependOnClassesThat().resideInAnyPackage("dev.pharos.console.connect..",
                "dev.pharos.agent.api..", "dev.pharos.agent.control..", "com.fasterxml.jackson..", "java.nio.file..")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.File.*")
                .check(topology);
    }

    @Test
    void theViewModelUsesNoSceneGraph() {
        noClasses().that().haveNameMatching(".*ViewModel.*").or().haveSimpleNameStartingWith("Shown")
                .or().haveSimpleName("LayoutStore")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .check(topology);
    }
}
