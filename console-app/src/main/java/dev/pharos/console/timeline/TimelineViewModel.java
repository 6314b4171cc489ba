package dev.pharos.console.timeline;

import dev.pharos.console.model.TimelineEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/// The timeline's rows and the operator's choices about them: the newest [#capacity()] entries of
/// the cluster's timeline in the order they happened (an entry that arrives late takes its place
/// by its time), filtered by text and kind, and whether the view follows the newest.
///
/// Built for hundreds of entries a second: entries that arrive are held until the view asks for
/// them at its pace ([#appendIncoming()], once per batch), and then reach the rows as one change;
/// the rows are a ring, so dropping the oldest moves nothing. The rows keep what they were given
/// even when the model trims its own list: their window on the past is their capacity, not the
/// model's. FX thread only.
public final class TimelineViewModel {

    /// How many entries the rows hold unless told otherwise.
    public static final int DEFAULT_CAPACITY = 10_000;

    /// Which entries are shown by kind.
    public enum KindFilter {
        ALL, VRRP, HEALTH, EDIT, CONFIG, CONNECTION, COMPONENT, SCENARIO, TRAFFIC;

        /// The kind as the timeline's entries name it (`vrrp`…), `all` for [#ALL].
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean admits(TimelineEntry e) {
            return this == ALL || e.kind().equals(label());
        }
    }

    private final RingList<TimelineEntry> rows;
    private final FilteredList<TimelineEntry> filtered;
    private final StringProperty filterText = new SimpleStringProperty("");
    private final ObjectProperty<KindFilter> kind = new SimpleObjectProperty<>(KindFilter.ALL);
    private final BooleanProperty following = new SimpleBooleanProperty(true);
    private final ReadOnlyLongWrapper dropped = new ReadOnlyLongWrapper();
    private final ReadOnlyBooleanWrapper pending = new ReadOnlyBooleanWrapper();
    /// Entries reported since the last batch, oldest first.
    private final List<TimelineEntry> incoming = new ArrayList<>();
    /// Entries dropped before they reached the rows (more than they hold arrived between batches).
    private long droppedUnseen;
    private int batches;

    public TimelineViewModel(ObservableList<TimelineEntry> entries) {
        this(entries, DEFAULT_CAPACITY);
    }

    /// @param capacity how many of the newest entries the rows hold
    public TimelineViewModel(ObservableList<TimelineEntry> entries, int capacity) {
        // By when each entry happened: the directors' reports and the console's own notes reach
        // the console by different ways, and not always in the order they were made.
        rows = new RingList<>(capacity, Comparator.comparing(TimelineEntry::at));
        filtered = new FilteredList<>(rows, e -> true);
        filterText.addListener((o, a, b) -> filter());
        kind.addListener((o, a, b) -> filter());
        // Only additions matter: the model trimming its own list does not take rows from here.
        entries.addListener((ListChangeListener<TimelineEntry>) c -> {
            while (c.next()) {
                if (c.wasAdded()) {
                    incoming.addAll(c.getAddedSubList());
                }
            }
            // A view that does not ask (a window that is hidden has no pulses) gets only what the
            // rows could hold anyway.
            if (incoming.size() > 2 * rows.capacity()) {
                int excess = incoming.size() - rows.capacity();
                incoming.subList(0, excess).clear();
                droppedUnseen += excess;
                dropped.set(rows.dropped() + droppedUnseen);
            }
            pending.set(!incoming.isEmpty());
        });
        incoming.addAll(entries);
        pending.set(!incoming.isEmpty());
    }

    /// The rows that pass the filter, oldest first (not modifiable).
    public ObservableList<TimelineEntry> rows() {
        return filtered;
    }

    /// How many of the newest entries the rows hold.
    public int capacity() {
        return rows.capacity();
    }

    /// The text a row must contain (in its director, subject or text, ignoring case); empty for all.
    public StringProperty filterTextProperty() {
        return filterText;
    }

    public ObjectProperty<KindFilter> kindProperty() {
        return kind;
    }

    /// Whether the view keeps the newest row in sight as entries arrive.
    public BooleanProperty followingProperty() {
        return following;
    }

    /// How many older entries were dropped to stay within [#capacity()].
    public ReadOnlyLongProperty droppedProperty() {
        return dropped.getReadOnlyProperty();
    }

    /// Whether entries wait for [#appendIncoming()].
    public ReadOnlyBooleanProperty pendingProperty() {
        return pending.getReadOnlyProperty();
    }

    /// Appends every entry that came in since the last batch to the rows, as one change.
    public void appendIncoming() {
        if (incoming.isEmpty()) {
            return;
        }
        rows.append(incoming);
        incoming.clear();
        batches++;
        pending.set(false);
        dropped.set(rows.dropped() + droppedUnseen);
    }

    /// How many batches were appended so far (for tests that check entries arriving within one
    /// pulse land as one batch).
    int batchCount() {
        return batches;
    }

    private void filter() {
        var needle = filterText.get() == null ? "" : filterText.get().toLowerCase(Locale.ROOT);
        var k = kind.get() == null ? KindFilter.ALL : kind.get();
        filtered.setPredicate(e -> k.admits(e)
                && (needle.isEmpty() || (e.director() + " " + e.subject() + " " + e.text()).toLowerCase(Locale.ROOT)
                        .contains(needle)));
    }
}
