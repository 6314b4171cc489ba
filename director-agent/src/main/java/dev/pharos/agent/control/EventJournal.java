package dev.pharos.agent.control;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.Results;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/// The agent's events in order, each with a sequence number, and the subscribers that receive
/// them. The newest `capacity` events (the constructor's argument) are kept so a client that
/// reconnects can ask for the ones it missed; older ones are forgotten and such a client gets a
/// [AgentEvent.Resync] instead.
///
/// Publishing never blocks on a subscriber: each subscriber's `accept` must only enqueue.
public final class EventJournal {

    private final Clock clock;
    private final int capacity;
    private final ArrayDeque<AgentEvent> kept = new ArrayDeque<>();
    private final List<Consumer<AgentEvent>> subscribers = new CopyOnWriteArrayList<>();
    private long lastSequence;

    public EventJournal(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.clock = clock;
        this.capacity = capacity;
    }

    /// Records an event built with the next sequence number and the current time, and delivers it.
    public AgentEvent publish(BiFunction<Long, Instant, AgentEvent> event) {
        AgentEvent e;
        synchronized (this) {
            e = event.apply(lastSequence + 1, clock.instant());
            if (e.sequence() != lastSequence + 1) {
                throw new IllegalArgumentException("event built with the wrong sequence number");
            }
            lastSequence = e.sequence();
            kept.addLast(e);
            if (kept.size() > capacity) {
                kept.removeFirst();
            }
            // Delivered under the lock so every subscriber sees events in sequence order.
            for (var s : subscribers) {
                s.accept(e);
            }
        }
        return e;
    }

    public synchronized long lastSequence() {
        return lastSequence;
    }

    /// Adds a subscriber. With `afterSequence`, the kept events after it are delivered first
    /// (or a [AgentEvent.Resync] when some of them are no longer kept); live events follow with
    /// no gap and no duplicate.
    public synchronized Results.Subscribed subscribe(Long afterSequence, Consumer<AgentEvent> subscriber) {
        int replayed = 0;
        boolean resync = false;
        if (afterSequence != null && afterSequence < lastSequence) {
            long oldestKept = kept.isEmpty() ? lastSequence + 1 : kept.peekFirst().sequence();
            if (afterSequence < 0 || afterSequence + 1 < oldestKept) {
                resync = true;
                subscriber.accept(new AgentEvent.Resync(lastSequence, clock.instant(),
                        "events " + (afterSequence + 1) + "–" + (oldestKept - 1)
                                + " are no longer kept; read state.get again"));
            } else {
                var replay = new ArrayList<AgentEvent>();
                for (var e : kept) {
                    if (e.sequence() > afterSequence) {
                        replay.add(e);
                    }
                }
                replay.forEach(subscriber);
                replayed = replay.size();
            }
        } else if (afterSequence != null && afterSequence > lastSequence) {
            // A sequence from the future: the agent restarted since (sequences start again at 1).
            resync = true;
            subscriber.accept(new AgentEvent.Resync(lastSequence, clock.instant(),
                    "sequence " + afterSequence + " is newer than this agent's " + lastSequence
                            + " (the agent restarted); read state.get again"));
        }
        subscribers.add(subscriber);
        return new Results.Subscribed(lastSequence, replayed, resync);
    }

    public void unsubscribe(Consumer<AgentEvent> subscriber) {
        subscribers.remove(subscriber);
    }

    public int subscriberCount() {
        return subscribers.size();
    }
}
