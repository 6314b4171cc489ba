package dev.pharos.agent.ipvs.kernel;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/// A generic-netlink conversation with the kernel, as [KernelIpvs] needs it. The real one is
/// `dev.pharos.agent.linux.GenericNetlink`, adapted by method references
/// (`GenlTransport.of(genl::resolveFamily, genl::transact)`); tests use a fake kernel.
public interface GenlTransport {

    /// The id of the generic-netlink family `name` (`CTRL_CMD_GETFAMILY`), or empty when the kernel
    /// has no such family.
    Optional<Integer> resolveFamily(String name) throws IOException;

    /// Sends one request (a whole netlink message, sequence number included) and returns the
    /// messages that answer it, each a whole netlink message, up to and including the final
    /// `NLMSG_DONE` (dumps) or `NLMSG_ERROR` (acknowledgement or error). The request must be a
    /// dump (`NLM_F_DUMP`) or ask for an acknowledgement (`NLM_F_ACK`), so that the answer ends.
    List<byte[]> transact(byte[] request) throws IOException;

    /// The family lookup, as a method reference can give it.
    @FunctionalInterface
    interface Resolver {
        Optional<Integer> resolveFamily(String name) throws IOException;
    }

    /// The request/answer exchange, as a method reference can give it.
    @FunctionalInterface
    interface Exchange {
        List<byte[]> transact(byte[] request) throws IOException;
    }

    static GenlTransport of(Resolver resolver, Exchange exchange) {
        return new GenlTransport() {
            @Override
            public Optional<Integer> resolveFamily(String name) throws IOException {
                return resolver.resolveFamily(name);
            }

            @Override
            public List<byte[]> transact(byte[] request) throws IOException {
                return exchange.transact(request);
            }
        };
    }
}
