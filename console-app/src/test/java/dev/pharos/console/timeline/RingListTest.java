package dev.pharos.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;

/// The bounded ring under the timeline's table: order, dropping the oldest, the dropped count,
/// and one change event per append.
class RingListTest {

    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Test
    void holdsEverythingBelowItsCapacityInOrder() {
        var ring = new RingList<Integer>(5);
        ring.append(range(0, 3));
        ring.append(List.of());
        assertThat(ring).containsExactly(0, 1, 2);
        assertThat(ring.dropped()).isZero();
    }

    @Test
    void dropsTheOldestBeyondItsCapacityAndCountsThem() {
        var ring = new RingList<Integer>(5);
        ring.append(range(0, 4));
        ring.append(range(4, 7));
        assertThat(ring).containsExactly(2, 3, 4, 5, 6);
        ring.append(range(7, 15));
        assertThat(ring).containsExactly(10, 11, 12, 13, 14);
        // 2 evicted, then 5 evicted and 3 of the batch never held
        assertThat(ring.dropped()).isEqualTo(10);
        assertThat(ring.get(0)).isEqualTo(10);
        assertThatThrownBy(() -> ring.get(5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void oneAppendIsOneChangeWithTheDropAndTheAddition() {
        var ring = new RingList<Integer>(4);
        ring.append(range(0, 3));
        var seen = new ArrayList<String>();
        ring.addListener((ListChangeListener<Integer>) c -> {
            var parts = new ArrayList<String>();
            while (c.next()) {
                if (c.wasRemoved()) {
                    parts.add("removed " + c.getRemoved() + " at " + c.getFrom());
                }
                if (c.wasAdded()) {
                    parts.add("added " + c.getAddedSubList() + " at " + c.getFrom());
                }
            }
            seen.add(String.join("; ", parts));
        });
        ring.append(range(3, 6));
        assertThat(seen).containsExactly("removed [0, 1] at 0; added [3, 4, 5] at 1");
        assertThat(ring).containsExactly(2, 3, 4, 5);
    }

    @Test
    void refusesARingWithoutRoom() {
        assertThatThrownBy(() -> new RingList<Integer>(0)).hasMessageContaining("at least one");
    }

    /// A ring kept in an order: an element that arrives late takes its place among those held,
    /// in one change that a listener can apply to a copy and get the same list.
    @Test
    void aLateElementTakesItsPlaceInOneChange() {
        var ring = new RingList<Integer>(6, Integer::compare);
        ring.append(List.of(10, 20, 30));
        var copy = new ArrayList<>(ring);
        var changes = new ArrayList<Integer>();
        ring.addListener((ListChangeListener<Integer>) c -> {
            changes.add(1);
            while (c.next()) {
                if (c.wasRemoved()) {
                    copy.subList(c.getFrom(), c.getFrom() + c.getRemovedSize()).clear();
                }
                if (c.wasAdded()) {
                    copy.addAll(c.getFrom(), c.getAddedSubList());
                }
            }
        });
        ring.append(List.of(40, 15, 25));
        assertThat(ring).containsExactly(10, 15, 20, 25, 30, 40);
        assertThat(copy).containsExactlyElementsOf(ring);
        // Full: the late one still goes in its place, and the oldest is dropped.
        ring.append(List.of(35, 5));
        assertThat(ring).containsExactly(15, 20, 25, 30, 35, 40);
        assertThat(copy).containsExactlyElementsOf(ring);
        assertThat(ring.dropped()).isEqualTo(2);
        assertThat(changes).hasSize(2);
        // Equal ones stay in arrival order.
        var byTens = new RingList<Integer>(5, (a, b) -> Integer.compare(a / 10, b / 10));
        byTens.append(List.of(10, 20));
        byTens.append(List.of(21, 12, 11));
        assertThat(byTens).containsExactly(10, 12, 11, 20, 21);
    }
}
