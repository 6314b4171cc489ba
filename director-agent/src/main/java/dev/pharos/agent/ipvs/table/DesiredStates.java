package dev.pharos.agent.ipvs.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/// Successive desired states of one table, each the one [DesiredState#next] computes from the
/// last, but reusing a virtual server's part of the last one when the inputs of that part did not
/// change: its spec (after the run-time edits) and its real servers' health. A reload or an edit
/// of one real server among tens of thousands then computes one virtual server, and the services
/// of the others are the same objects as before, which [ServiceTable#changedSince] compares at once.
///
/// Not thread-safe: the service-table thread owns it.
public final class DesiredStates {

    private DesiredState last;
    /// The parts of [#last] by virtual server name.
    private Map<String, DesiredState.Part> parts = Map.of();

    /// The desired state after the last one ([DesiredState#compute] the first time).
    ///
    /// @param healthChanged the virtual servers whose entries in `health` may differ from those of
    ///                      the health given last time, or null when any may
    public DesiredState next(TableSpec spec, HealthView health, RuntimeEdits edits, Set<String> healthChanged) {
        var applied = edits.applyTo(spec);
        var out = new ArrayList<DesiredState.Part>();
        var nextParts = new HashMap<String, DesiredState.Part>();
        for (var vs : applied.spec().virtualServers()) {
            var q = last == null ? null : last.quorum().get(vs.name());
            var previouslyUp = q == null ? null : q.up();
            var part = parts.get(vs.name());
            // Same spec and health give the same weight sum, and quorum from the same sum and its
            // own last answer gives that answer again (hysteresis moves the threshold away from it).
            if (part == null || healthChanged == null || healthChanged.contains(vs.name())
                    || !(part.spec() == vs || part.spec().equals(vs))) {
                part = DesiredState.part(vs, health, previouslyUp);
            } else if (part.spec() != vs) {
                // Equal but another object (the first edit after a load maps every block again):
                // keep this one, so the next time compares identities instead of every real server.
                part = new DesiredState.Part(vs, part.quorum(), part.services());
            }
            out.add(part);
            nextParts.put(vs.name(), part);
        }
        last = DesiredState.assemble(out, applied.problems());
        parts = nextParts;
        return last;
    }

    /// The part of the last desired state for `virtualServer`, or null (tests).
    DesiredState.Part lastPart(String virtualServer) {
        return parts.get(virtualServer);
    }
}
