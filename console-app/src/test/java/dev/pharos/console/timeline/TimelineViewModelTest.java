package dev.pharos.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.model.TimelineEntry;
import dev.pharos.console.timeline.TimelineViewModel.KindFilter;
import java.time.Instant;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.junit.jupiter.api.Test;

/// The timeline's rows without a scene: entries wait until the view asks for them and then arrive
/// as one batch, the oldest beyond the capacity are dropped and counted, text and kind filter.
class TimelineViewModelTest {

    final ObservableList<TimelineEntry> entries = FXCollections.observableArrayList();
    final TimelineViewModel model = new TimelineViewModel(entries, 10);

    static TimelineEntry entry(int n) {
        return new TimelineEntry(Instant.ofEpochSecond(1_700_000_000L + n), n % 2 == 0 ? "lvs-master" : "lvs-backup",
                n % 3 == 0 ? "vrrp" : "health", "198.51.100." + n + ":80", "entry " + n);
    }

    void add(int from, int to) {
        for (int n = from; n < to; n++) {
            entries.add(entry(n));
        }
    }

    @Test
    void entriesWaitForTheViewAndArriveAsOneBatch() {
        add(0, 4);
        assertThat(model.pendingProperty().get()).isTrue();
        assertThat(model.rows()).as("not before the view asks").isEmpty();

        model.appendIncoming();
        assertThat(model.rows()).extracting(TimelineEntry::text).containsExactly("entry 0", "entry 1", "entry 2", "entry 3");
        assertThat(model.pendingProperty().get()).isFalse();
        assertThat(model.batchCount()).isEqualTo(1);

        add(4, 16);
        entries.remove(0, 10); // the model trims its own list: that takes nothing from the rows
        model.appendIncoming();
        assertThat(model.batchCount()).isEqualTo(2);
        assertThat(model.rows()).hasSize(10).first().extracting(TimelineEntry::text).isEqualTo("entry 6");
        assertThat(model.droppedProperty().get()).isEqualTo(6);
    }

    @Test
    void textAndKindFilterTheRowsIncludingLaterOnes() {
        model.filterTextProperty().set("LVS-BACKUP");
        add(0, 7);
        model.appendIncoming();
        assertThat(model.rows()).extracting(TimelineEntry::text).containsExactly("entry 1", "entry 3", "entry 5");

        model.kindProperty().set(KindFilter.VRRP);
        assertThat(model.rows()).extracting(TimelineEntry::text).containsExactly("entry 3");

        model.filterTextProperty().set("");
        assertThat(model.rows()).extracting(TimelineEntry::text).containsExactly("entry 0", "entry 3", "entry 6");
        model.kindProperty().set(KindFilter.ALL);
        assertThat(model.rows()).hasSize(7);
        assertThat(KindFilter.VRRP.label()).isEqualTo("vrrp");
    }

    /// Rows are in the order things happened, not the order their reports arrived: a director's
    /// transition that reaches the console after the console's own later note goes before it,
    /// in the same batch or a later one.
    @Test
    void rowsAreInTheOrderThingsHappened() {
        add(0, 3);
        entries.add(entry(6));
        entries.add(entry(4));
        model.appendIncoming();
        assertThat(model.rows()).extracting(TimelineEntry::text)
                .containsExactly("entry 0", "entry 1", "entry 2", "entry 4", "entry 6");
        entries.add(entry(5));
        entries.add(entry(7));
        model.appendIncoming();
        assertThat(model.rows()).extracting(TimelineEntry::text)
                .containsExactly("entry 0", "entry 1", "entry 2", "entry 4", "entry 5", "entry 6", "entry 7");
    }
}
