package dev.pharos.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/// The console calls agents only through `connect.AgentClient`, with a declared method and its
/// params record: no other class sends a method named by a string, a map or a JSON tree.
class TypedClientArchitectureTest {

    private static final String AGENT_CLIENT = "dev.pharos.console.connect.AgentClient";

    private static final JavaClasses CONSOLE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pharos.console");

    /// `ControlClient.call(String method, Object params, …)`, both overloads: the untyped calls.
    private static final DescribedPredicate<JavaCall<?>> UNTYPED_CALL = DescribedPredicate.describe(
            "ControlClient's untyped call(String, Object, …)",
            c -> c.getTargetOwner().getFullName().equals("dev.pharos.agent.control.ControlClient")
                    && c.getName().equals("call"));

    @Test
    void onlyAgentClientCallsControlClientsUntypedCall() {
        noClasses().that().resideInAPackage("dev.pharos.console..")
                .and().doNotHaveFullyQualifiedName(AGENT_CLIENT)
                .should().callCodeUnitWhere(UNTYPED_CALL)
                .because("requests go through AgentClient.call(RpcMethod, params), so each is the declared record")
                .check(CONSOLE);
    }

    @Test
    void onlyAgentClientReadsTheWireFormat() {
        noClasses().that().resideInAPackage("dev.pharos.console..")
                .and().doNotHaveFullyQualifiedName(AGENT_CLIENT)
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.pharos.agent.api.JsonRpc")
                .because("results arrive as records from AgentClient; nothing else converts JSON trees")
                .check(CONSOLE);
    }
}
