package dev.pharos.console.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import javafx.collections.ObservableListBase;

/// An observable list that holds at most `capacity` elements in an order (for the timeline: by
/// when each entry happened), oldest first: appending past the capacity drops the oldest ones and
/// counts them. Backed by a circular array, so dropping from the front moves nothing; one
/// [#append] is one change event (the drop and the addition together), which a filtered list and
/// a table handle once. An element that belongs before some already held (it arrived late) takes
/// its place among them: the held ones after it are replaced with the merged run, in the same
/// change. Late ones are few and recent, so the run is short.
/// FX thread only, like the table that shows it.
final class RingList<T> extends ObservableListBase<T> {

    private final Object[] slots;
    private final Comparator<? super T> order;
    private int head;
    private int size;
    private long dropped;

    /// A ring in arrival order.
    RingList(int capacity) {
        this(capacity, (a, b) -> 0);
    }

    /// A ring kept in `order`; elements equal in it stay in arrival order.
    RingList(int capacity, Comparator<? super T> order) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a ring needs room for at least one element, not " + capacity);
        }
        slots = new Object[capacity];
        this.order = order;
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

    /// Adds `batch` in order, dropping the oldest elements beyond the capacity; one change event.
    void append(List<? extends T> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<T> sorted = new ArrayList<>(batch);
        sorted.sort(order); // stable: equal ones keep their arrival order
        // Where the batch's first belongs: held elements after it are merged with the batch.
        int at = size;
        while (at > 0 && order.compare(get(at - 1), sorted.getFirst()) > 0) {
            at--;
        }
        beginChange();
        try {
            if (at < size) {
                var tail = new ArrayList<T>(size - at);
                for (int i = at; i < size; i++) {
                    tail.add(get(i));
                    slots[(head + i) % slots.length] = null;
                }
                size = at;
                nextRemove(at, tail);
                sorted = merged(tail, sorted);
            }
            add(sorted);
        } finally {
            endChange();
        }
    }

    /// `held` and `late` merged in order, `held` first among equals (both sorted already).
    private List<T> merged(List<T> held, List<T> late) {
        var out = new ArrayList<T>(held.size() + late.size());
        int i = 0;
        int j = 0;
        while (i < held.size() || j < late.size()) {
            if (j == late.size() || (i < held.size() && order.compare(held.get(i), late.get(j)) <= 0)) {
                out.add(held.get(i++));
            } else {
                out.add(late.get(j++));
            }
        }
        return out;
    }

    /// Adds `batch`, whose elements all belong after those held, within the current change.
    private void add(List<? extends T> batch) {
        int n = batch.size();
        int capacity = slots.length;
        // A batch larger than the whole ring: its oldest would be dropped at once, never shown.
        int skipped = Math.max(0, n - capacity);
        int adding = n - skipped;
        int evicted = Math.max(0, size + adding - capacity);
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
        dropped += evicted + skipped;
    }
}
