package dev.pharos.agent.check;

/// Receives the scheduler's events, in order for each real server. It is called on the
/// scheduler's threads while the scheduler holds its lock: it must return quickly and must not
/// call back into the scheduler's mutating methods.
@FunctionalInterface
public interface CheckListener {

    void onEvent(CheckEvent event);
}
