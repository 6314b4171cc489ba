package dev.pharos.console.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.collections.ObservableListBase;

/// An observable list that holds at most `capacity` elements, oldest first: appending past the
/// capacity drops the oldest ones and counts them. Backed by a circular array, so dropping from
/// the front moves nothing; one [#append] is one change event (the drop and the addition
/// together), which a filtered list and a table handle once.
/// FX thread only, like the table that shows it.
final class RingList<T> extends ObservableListBase<T> {

    private final Object[] slots;
    private int head;
    private int size;
    private long dropped;

    RingList(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a ring needs room for at least one element, not " + capacity);
        }
        slots = new Object[capacity];
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(int index) {
        Objects.checkIndex(index, size);
        return (T) slots[(head + index) % slots.length];
    }

    @Override
    public int size() {
        return size;
    }

    int capacity() {
        return slots.length;
    }

    /// How many elements were dropped so far to stay within the capacity (including those of a
    /// batch larger than the capacity, which were never held).
    long dropped() {
        return dropped;
    }

    /// Appends `batch` in order, dropping the oldest elements beyond the capacity; one change event.
    void append(List<? extends T> batch) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        int capacity = slots.length;
        // A batch larger than the whole ring: its oldest would be dropped at once, never shown.
        int skipped = Math.max(0, n - capacity);
        int adding = n - skipped;
        int evicted = Math.max(0, size + adding - capacity);
        beginChange();
        try {
            if (evicted > 0) {
                var removed = new ArrayList<T>(evicted);
                for (int i = 0; i < evicted; i++) {
                    removed.add(get(i));
                    slots[(head + i) % capacity] = null;
                }
                head = (head + evicted) % capacity;
                size -= evicted;
                nextRemove(0, removed);
            }
            int from = size;
            for (int i = skipped; i < n; i++) {
                slots[(head + size) % capacity] = batch.get(i);
                size++;
            }
            nextAdd(from, size);
        } finally {
            endChange();
        }
        dropped += evicted + skipped;
    }
}
