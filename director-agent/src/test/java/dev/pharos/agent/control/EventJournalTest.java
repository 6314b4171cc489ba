package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJournalTest {

    private final EventJournal journal = new EventJournal(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 5);

    private void publish(int n) {
        for (int i = 0; i < n; i++) {
            journal.publish((seq, at) -> new AgentEvent.ComponentRestarted(seq, at, "vrrp", "test"));
        }
    }

    @Test
    void sequencesIncreaseByOne() {
        publish(3);
        var got = new ArrayList<AgentEvent>();
        journal.subscribe(null, got::add);
        publish(2);
        assertThat(got).extracting(AgentEvent::sequence).containsExactly(4L, 5L);
        assertThat(journal.lastSequence()).isEqualTo(5);
    }

    @Test
    void aReconnectingClientGetsWhatItMissedThenLiveEvents() {
        publish(4);
        var got = new ArrayList<AgentEvent>();
        var sub = journal.subscribe(2L, got::add);
        assertThat(sub.replayed()).isEqualTo(2);
        assertThat(sub.resync()).isFalse();
        publish(1);
        assertThat(got).extracting(AgentEvent::sequence).containsExactly(3L, 4L, 5L);
    }

    @Test
    void tooMuchMissedIsAResync() {
        publish(12);
        var got = new ArrayList<AgentEvent>();
        var sub = journal.subscribe(3L, got::add);
        assertThat(sub.resync()).isTrue();
        assertThat(got).singleElement().isInstanceOfSatisfying(AgentEvent.Resync.class,
                r -> assertThat(r.reason()).contains("4–7"));
    }

    @Test
    void aSequenceFromBeforeARestartIsAResync() {
        publish(2);
        var got = new ArrayList<AgentEvent>();
        assertThat(journal.subscribe(99L, got::add).resync()).isTrue();
        assertThat(got).singleElement().isInstanceOf(AgentEvent.Resync.class);
    }

    @Test
    void upToDateClientGetsNothingReplayed() {
        publish(3);
        List<AgentEvent> got = new ArrayList<>();
        var sub = journal.subscribe(3L, got::add);
        assertThat(sub.replayed()).isZero();
        assertThat(got).isEmpty();
    }
}
