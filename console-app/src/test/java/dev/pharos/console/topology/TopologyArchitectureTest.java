package dev.pharos.console.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// The topology's view-model side (its view model, the shown states and the layout store) uses no
/// scene graph; the rule for views is [dev.pharos.console.ConsoleArchitectureTest]'s.
class TopologyArchitectureTest {

    private static JavaClasses topology;

    @BeforeAll
    static void importTopology() {
        topology = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.pharos.console.topology");
    }

    @Test
    void theViewModelUsesNoSceneGraph() {
        noClasses().that().haveNameMatching(".*ViewModel.*").or().haveSimpleNameStartingWith("Shown")
                .or().haveSimpleName("LayoutStore")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .check(topology);
    }
}
