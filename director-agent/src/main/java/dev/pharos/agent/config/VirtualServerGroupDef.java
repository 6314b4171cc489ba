package dev.pharos.agent.config;

import java.net.InetAddress;
import java.util.List;

/// `virtual_server_group NAME { IP PORT | IP-RANGE PORT | fwmark N … }`.
public record VirtualServerGroupDef(String name, List<Member> members) {

    public VirtualServerGroupDef {
        members = List.copyOf(members);
    }

    /// One line of the group.
    public sealed interface Member permits Member.Address, Member.Range, Member.Fwmark {
        /// `192.0.2.10 80`
        record Address(InetAddress address, int port) implements Member {
        }

        /// `192.0.2.10-20 80`: addresses from `first` to the last octet `lastOctet`
        record Range(InetAddress first, int lastOctet, int port) implements Member {
        }

        /// `fwmark 1`
        record Fwmark(long mark) implements Member {
        }
    }
}
