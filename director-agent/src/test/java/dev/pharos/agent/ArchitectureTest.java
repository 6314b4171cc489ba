package dev.pharos.agent;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Keeps the agent's layering as DESIGN.md and STYLE.md state it.
class ArchitectureTest {

    private static JavaClasses agent;

    @BeforeAll
    static void importAgent() {
        agent = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.pharos.agent");
    }

    /// A cycle between two packages means neither can be understood, tested or moved without the
    /// other; the lab's composition lives in `agent.lab` so that `daemon` and `sim` stay one-way.
    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.pharos.agent.(*)..").should().beFreeOfCycles().check(agent);
    }

    /// The table's rules (desired state, diff, reconciler) are the same whatever serves the table:
    /// the kernel backend and the user-space proxy each depend on `ipvs.table`, never the reverse,
    /// and never on each other, so either can change without the other's tests.
    @Test
    void theIpvsTableKnowsNoBackendAndTheBackendsNotEachOther() {
        noClasses().that().resideInAPackage("dev.pharos.agent.ipvs.table..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pharos.agent.ipvs.kernel..",
                        "dev.pharos.agent.ipvs.proxy..")
                .check(agent);
        noClasses().that().resideInAPackage("dev.pharos.agent.ipvs.kernel..")
                .should().dependOnClassesThat().resideInAPackage("dev.pharos.agent.ipvs.proxy..")
                .check(agent);
        noClasses().that().resideInAPackage("dev.pharos.agent.ipvs.proxy..")
                .should().dependOnClassesThat().resideInAPackage("dev.pharos.agent.ipvs.kernel..")
                .check(agent);
    }

    @Test
    void theAgentNeverImportsJavaFx() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("javafx..")
                .allowEmptyShould(true)
                .check(agent);
    }

    @Test
    void onlyTheLinuxPackageUsesTheForeignFunctionApi() {
        noClasses().that().resideOutsideOfPackage("dev.pharos.agent.linux..")
                .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
                .allowEmptyShould(true)
                .check(agent);
    }

    @Test
    void onlyTheCommandLineWritesToStandardStreams() {
        noClasses().that().resideOutsideOfPackage("dev.pharos.agent.cli..")
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .allowEmptyShould(true)
                .check(agent);
    }

    /// The console compiles against `agent.api`; if it reached into the agent's other packages the
    /// protocol would drag the agent's internals into the console's class path and contract.
    @Test
    void theProtocolRecordsDependOnNothingButThemselvesAndJackson() {
        noClasses().that().resideInAPackage("dev.pharos.agent.api..")
                .should().dependOnClassesThat(resideInAPackage("dev.pharos.agent..")
                        .and(resideOutsideOfPackage("dev.pharos.agent.api..")))
                .allowEmptyShould(true)
                .check(agent);
    }

    @Test
    void nothingButTheCommandLineDependsOnTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("dev.pharos.agent.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.pharos.agent.cli..")
                .allowEmptyShould(true)
                .check(agent);
    }

    @Test
    void codecsDoNoIo() {
        noClasses().that().haveSimpleNameEndingWith("Packet")
                .or().haveSimpleNameEndingWith("Codec")
                .should().dependOnClassesThat().resideInAnyPackage("java.nio.channels..", "java.nio.file..")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.net\\..*Socket.*")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.File.*")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .allowEmptyShould(true)
                .check(agent);
    }
}
