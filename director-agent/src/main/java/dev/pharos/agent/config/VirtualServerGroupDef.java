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

        /// `192.0.2.10-20 80` (IPv4: `last` replaces the last octet) or `2001:db8::2-9 80`
        /// (IPv6: `last`, written in hex, replaces the last 16-bit group)
        record Range(InetAddress first, int last, int port) implements Member {
        }

        /// `fwmark 1`
        record Fwmark(long mark) implements Member {
        }
    }
}
