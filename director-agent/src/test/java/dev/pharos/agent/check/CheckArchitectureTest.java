package dev.pharos.agent.check;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/// Keeps the checker's shape: it knows the configuration model and nothing else of the agent,
/// probes hold no timing or retry logic, and the DNS codec does no I/O.
class CheckArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pharos.agent.check");

    @Test
    void checkDependsOnNoOtherAgentPackageThanConfig() {
        noClasses().that().resideInAPackage("dev.pharos.agent.check..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pharos.agent.vrrp..", "dev.pharos.agent.ipvs..",
                        "dev.pharos.agent.linux..", "dev.pharos.agent.control..", "dev.pharos.agent.sim..",
                        "dev.pharos.agent.lab..", "dev.pharos.agent.daemon..", "dev.pharos.agent.cli..",
                        "java.lang.foreign..", "javafx..")
                .check(CLASSES);
    }

    @Test
    void probesMakeOneAttemptWithoutTimingRetriesOrSleeps() {
        noClasses().that().haveSimpleNameEndingWith("Probe")
                .should().dependOnClassesThat().belongToAnyOf(CheckSpec.Timing.class, CheckerState.class,
                        CheckScheduler.class, CheckTimer.class)
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", java.time.Duration.class)
                .check(CLASSES);
    }

    @Test
    void theDnsCodecDoesNoIo() {
        noClasses().that().haveSimpleNameStartingWith("DnsPacket")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.net..", "java.nio.file..",
                        "java.nio.channels..", "java.util.concurrent..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .check(CLASSES);
    }
}
