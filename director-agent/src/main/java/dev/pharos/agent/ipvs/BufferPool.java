package dev.pharos.agent.ipvs;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/// Direct buffers for the TCP relay, recycled: a direct buffer lets the kernel copy straight from
/// one socket's receive queue into the other's send queue without a bounce through the heap, and
/// allocating one is slow enough that it must not happen per connection.
final class BufferPool {

    private final int bufferSize;
    private final int maxPooled;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    BufferPool(int bufferSize, int maxPooled) {
        this.bufferSize = bufferSize;
        this.maxPooled = maxPooled;
    }

    ByteBuffer take() {
        var b = free.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(bufferSize);
        }
        pooled.decrementAndGet();
        b.clear();
        return b;
    }

    void give(ByteBuffer b) {
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offer(b);
        } else {
            pooled.decrementAndGet();
        }
    }
}
