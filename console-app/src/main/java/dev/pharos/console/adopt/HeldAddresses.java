package dev.pharos.console.adopt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pharos.agent.api.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/// The addresses a host holds, from `ip -j addr` (iproute2's JSON): which interface each is on.
/// Addresses are written canonically ([Addresses#text]), so `2001:db8::1` matches however the
/// configuration spells it.
public record HeldAddresses(Map<String, String> interfaceOf) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public HeldAddresses {
        interfaceOf = Map.copyOf(interfaceOf);
    }

    /// Whether `address` (canonical text, without prefix) is on one of the host's interfaces.
    public boolean holds(String address) {
        return interfaceOf.containsKey(address);
    }

    /// Parses `ip -j addr` output; a malformed text is an [IllegalArgumentException] saying what is wrong.
    public static HeldAddresses parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("`ip -j addr` did not print JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("`ip -j addr` printed no list of interfaces");
        }
        var out = new LinkedHashMap<String, String>();
        for (var link : root) {
            var ifname = link.path("ifname").asText(null);
            if (ifname == null) {
                throw new IllegalArgumentException("`ip -j addr`: an interface without \"ifname\"");
            }
            for (var a : link.path("addr_info")) {
                var local = a.path("local").asText(null);
                if (local != null) {
                    out.putIfAbsent(canonical(local), ifname);
                }
            }
        }
        return new HeldAddresses(out);
    }

    /// `address` as [Addresses#text] writes it; a text that is no address literal stays as it is.
    static String canonical(String address) {
        var a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (!a.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return a; // never resolve a name here: that would be DNS in a parser
        }
        try {
            return Addresses.text(InetAddress.getByName(a));
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
