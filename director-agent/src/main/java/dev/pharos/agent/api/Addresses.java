package dev.pharos.agent.api;

import java.net.Inet6Address;
import java.net.InetAddress;

/// IP addresses as text, the one way Pharos writes them: in its protocol (ids, `state.get`), its
/// logs, `status` and the console.
public final class Addresses {

    private Addresses() {
    }

    /// An IPv4 address in dotted decimal; an IPv6 address in RFC 5952's recommended form (§4):
    /// lower-case hex without leading zeros, the longest run of two or more zero groups (the first
    /// of equal runs) written `::`, and a scope as `%name` or `%index` when it has one. Java's own
    /// [InetAddress#getHostAddress()] writes every group (`2001:db8:0:0:0:0:0:1`).
    public static String text(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        var bytes = v6.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952 §4.2.3: the longest run of zero groups, the first when runs are equal;
        // §4.2.2: a single zero group is not shortened.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        var b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        if (v6.getScopedInterface() != null) {
            b.append('%').append(v6.getScopedInterface().getName());
        } else if (v6.getScopeId() != 0) {
            b.append('%').append(v6.getScopeId());
        }
        return b.toString();
    }
}
