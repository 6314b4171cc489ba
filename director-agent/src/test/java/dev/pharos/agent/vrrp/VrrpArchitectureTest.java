package dev.pharos.agent.vrrp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/// Keeps the layering STYLE.md asks for: the VRRP package reaches the OS only through its own
/// interfaces, and the codec does no I/O at all.
class VrrpArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pharos.agent.vrrp", "dev.pharos.agent.sim");

    @Test
    void vrrpDependsOnNoOtherAgentPackageAndNoNativeCode() {
        noClasses().that().resideInAPackage("dev.pharos.agent.vrrp..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pharos.agent.sim..", "dev.pharos.agent.lab..",
                        "dev.pharos.agent.linux..", "dev.pharos.agent.config..", "java.lang.foreign..", "javafx..")
                .check(CLASSES);
    }

    @Test
    void codecDoesNoIo() {
        noClasses().that().haveSimpleNameStartingWith("VrrpPacket")
                .or().haveSimpleName("Ipv4Header").or().haveSimpleName("Ipv6Header").or().haveSimpleName("IpHeader")
                .or().haveSimpleName("InternetChecksum")
                .or().haveSimpleName("MalformedPacketException")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..",
                        "java.nio.channels..", "java.util.concurrent..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.System$Logger")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
                .check(CLASSES);
    }

    @Test
    void noSystemOut() {
        noClasses().should().accessField(System.class, "out").orShould().accessField(System.class, "err")
                .check(CLASSES);
    }
}
