package dev.pharos.agent.ipvs.table;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/// A whole virtual-server table: every service with its settings and destinations. Tables compare
/// by content (`equals`), whatever the order they were built in; iteration keeps insertion order so
/// operations come out in a stable order.
public record ServiceTable(Map<ServiceKey, VirtualService> services) {

    public static final ServiceTable EMPTY = new ServiceTable(Map.of());

    /// Settings are stored as the kernel reports them for the key's family (an IPv4 service's
    /// netmask is at most /32), so a table built by hand compares equal to the one read back.
    public ServiceTable {
        var normalised = new LinkedHashMap<ServiceKey, VirtualService>();
        services.forEach((key, service) -> {
            var settings = service.settings().forFamily(key.family());
            normalised.put(key, settings == service.settings() ? service
                    : new VirtualService(settings, service.destinations()));
        });
        services = Collections.unmodifiableMap(normalised);
    }

    /// One virtual service: its settings and its destinations by endpoint.
    public record VirtualService(ServiceSettings settings, Map<Endpoint, Destination> destinations) {
        public VirtualService {
            Objects.requireNonNull(settings, "settings");
            for (var e : destinations.entrySet()) {
                if (!e.getKey().equals(e.getValue().endpoint())) {
                    throw new IllegalArgumentException("destination " + e.getValue().endpoint()
                            + " is filed under " + e.getKey());
                }
            }
            destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
        }
    }

    public int destinationCount() {
        return services.values().stream().mapToInt(s -> s.destinations().size()).sum();
    }

    /// The services of this table among `keys`.
    public ServiceTable only(Set<ServiceKey> keys) {
        var out = new LinkedHashMap<ServiceKey, VirtualService>();
        for (var key : keys) {
            var service = services.get(key);
            if (service != null) {
                out.put(key, service);
            }
        }
        return new ServiceTable(out);
    }

    /// This table with the services of `scope` as `part` holds them: replaced, added, or left out
    /// when `part` has none. The other services stay as they are, in their order.
    public ServiceTable replacing(Set<ServiceKey> scope, ServiceTable part) {
        var out = new LinkedHashMap<ServiceKey, VirtualService>();
        services.forEach((key, service) -> {
            if (!scope.contains(key)) {
                out.put(key, service);
            } else if (part.services().containsKey(key)) {
                out.put(key, part.services().get(key));
            }
        });
        part.services().forEach(out::putIfAbsent);
        return new ServiceTable(out);
    }

    /// The services that differ between this table and `other`: settings or destinations
    /// changed, or held by only one of them. Empty when the tables are equal.
    public Set<ServiceKey> changedSince(ServiceTable other) {
        var out = new LinkedHashSet<ServiceKey>();
        services.forEach((key, service) -> {
            if (!service.equals(other.services().get(key))) {
                out.add(key);
            }
        });
        other.services().keySet().forEach(key -> {
            if (!services.containsKey(key)) {
                out.add(key);
            }
        });
        return out;
    }

    /// A table builder that keeps insertion order.
    public static Builder builder() {
        return new Builder();
    }

    /// Collects services and destinations; a later destination at the same endpoint replaces the earlier.
    public static final class Builder {
        private final Map<ServiceKey, ServiceSettings> settings = new LinkedHashMap<>();
        private final Map<ServiceKey, Map<Endpoint, Destination>> destinations = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder service(ServiceKey key, ServiceSettings serviceSettings) {
            settings.put(key, serviceSettings);
            destinations.computeIfAbsent(key, k -> new LinkedHashMap<>());
            return this;
        }

        public Builder destination(ServiceKey key, Destination destination) {
            if (!settings.containsKey(key)) {
                throw new IllegalStateException("destination " + destination.endpoint() + " added before its service "
                        + key);
            }
            destinations.get(key).put(destination.endpoint(), destination);
            return this;
        }

        public ServiceTable build() {
            var out = new LinkedHashMap<ServiceKey, VirtualService>();
            settings.forEach((k, s) -> out.put(k, new VirtualService(s, destinations.get(k))));
            return new ServiceTable(out);
        }
    }
}
