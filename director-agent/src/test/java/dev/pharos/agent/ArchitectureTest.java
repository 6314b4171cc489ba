package dev.pharos.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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

    @Test
    void theProtocolRecordsDependOnNothingButThemselvesAndJackson() {
        noClasses().that().resideInAPackage("dev.pharos.agent.api..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.pharos.agent.vrrp..", "dev.pharos.agent.check..", "dev.pharos.agent.ipvs..",
                        "dev.pharos.agent.linux..", "dev.pharos.agent.control..", "dev.pharos.agent.sim..",
                        "dev.pharos.agent.cli..")
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
