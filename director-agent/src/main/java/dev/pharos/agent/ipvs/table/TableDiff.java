package dev.pharos.agent.ipvs.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/// The operations that turn one table into another, never by flushing. The order:
///
/// 1. new services (a destination needs its service);
/// 2. changed service settings;
/// 3. new destinations (of every service), then changed ones, then removed ones (of kept
///    services), so that a pool being replaced, or a server moving between services, is in its
///    new place before it leaves the old;
/// 4. removed services: each of their destinations first, then the service.
///
/// Deleting destinations one by one before their service keeps every step visible to the
/// reconciler (a failure leaves a table it can describe) instead of relying on the kernel's
/// implicit cascade.
final class TableDiff {

    private TableDiff() {
    }

    static List<IpvsOp> between(ServiceTable current, ServiceTable desired) {
        var ops = new ArrayList<IpvsOp>();
        var now = current.services();
        var want = desired.services();
        want.forEach((key, service) -> {
            if (!now.containsKey(key)) {
                ops.add(new IpvsOp.AddService(key, service.settings()));
            }
        });
        want.forEach((key, service) -> {
            var had = now.get(key);
            if (had != null && !had.settings().equals(service.settings())) {
                ops.add(new IpvsOp.EditService(key, service.settings()));
            }
        });
        // adds everywhere before edits and deletes anywhere: a server moving between services is
        // in the new pool before it leaves the old one
        want.forEach((key, service) -> service.destinations().forEach((endpoint, dest) -> {
            if (!destinations(now, key).containsKey(endpoint)) {
                ops.add(new IpvsOp.AddDest(key, dest));
            }
        }));
        want.forEach((key, service) -> service.destinations().forEach((endpoint, dest) -> {
            var old = destinations(now, key).get(endpoint);
            if (old != null && !old.equals(dest)) {
                ops.add(new IpvsOp.EditDest(key, dest));
            }
        }));
        want.forEach((key, service) -> destinations(now, key).keySet().forEach(endpoint -> {
            if (!service.destinations().containsKey(endpoint)) {
                ops.add(new IpvsOp.DeleteDest(key, endpoint));
            }
        }));
        now.forEach((key, service) -> {
            if (!want.containsKey(key)) {
                service.destinations().keySet().forEach(endpoint -> ops.add(new IpvsOp.DeleteDest(key, endpoint)));
                ops.add(new IpvsOp.DeleteService(key));
            }
        });
        return List.copyOf(ops);
    }

    private static Map<Endpoint, Destination> destinations(Map<ServiceKey, ServiceTable.VirtualService> table,
            ServiceKey key) {
        var service = table.get(key);
        return service == null ? Map.of() : service.destinations();
    }
}
