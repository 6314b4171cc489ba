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
}
