package dev.pharos.agent.ipvs.proxy;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/// Native-memory buffers for the TCP relay, recycled: native memory lets the kernel copy straight
/// from one socket's receive queue into the other's send queue without a bounce through the heap,
/// and allocating it is slow enough that it must not happen per connection. `B` is a direct
/// `ByteBuffer` for the NIO relay, a [dev.pharos.agent.linux.NativeBuffer] for the native one.
final class BufferPool<B> {

    private final Supplier<B> allocate;
    private final Consumer<B> clear;
    private final int maxPooled;
    private final ConcurrentLinkedQueue<B> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    /// @param allocate makes a new buffer when none is free
    /// @param clear    empties a buffer before it is handed out again
    /// @param maxPooled most free buffers kept; beyond, returned ones go to the garbage collector
    BufferPool(Supplier<B> allocate, Consumer<B> clear, int maxPooled) {
        this.allocate = allocate;
        this.clear = clear;
        this.maxPooled = maxPooled;
    }

    /// An empty buffer.
    B take() {
        var b = free.poll();
        if (b == null) {
            return allocate.get();
        }
        pooled.decrementAndGet();
        clear.accept(b);
        return b;
    }

    void give(B b) {
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offer(b);
        } else {
            pooled.decrementAndGet();
        }
    }
}
