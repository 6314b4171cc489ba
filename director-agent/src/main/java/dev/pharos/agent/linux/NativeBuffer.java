package dev.pharos.agent.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/// Native memory that [TcpSockets#recv] fills and [TcpSockets#send] drains, so the kernel copies
/// straight between a socket and this memory, without a bounce through the Java heap.
///
/// The bytes waiting to be sent lie between a start and an end offset: `recv` appends at the end,
/// `send` consumes from the start. Not thread-safe: a buffer belongs to one relay thread at a
/// time. The memory is that of a direct `ByteBuffer`, so a buffer dropped from a pool is freed by
/// the garbage collector like any direct buffer (pools keep the allocation off the hot path).
public final class NativeBuffer {

    final MemorySegment segment;
    int start;
    int end;

    private NativeBuffer(int capacity) {
        this.segment = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(capacity));
    }

    /// @throws IllegalArgumentException when `capacity` is not positive
    public static NativeBuffer allocate(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("a native buffer needs a positive capacity, not " + capacity);
        }
        return new NativeBuffer(capacity);
    }

    public int capacity() {
        return (int) segment.byteSize();
    }

    /// Bytes received and not sent yet.
    public int remaining() {
        return end - start;
    }

    public boolean isEmpty() {
        return end == start;
    }

    /// Forgets every byte: the whole capacity is free for the next `recv`.
    public void clear() {
        start = 0;
        end = 0;
    }

    /// Moves this buffer's remaining bytes to the end of `to` (which must have room) and empties
    /// this one.
    ///
    /// @throws IllegalArgumentException when `to` has less free room than this has bytes
    public void moveRemainingTo(NativeBuffer to) {
        int n = remaining();
        if (to.capacity() - to.end < n) {
            throw new IllegalArgumentException("cannot move " + n + " bytes into a buffer with "
                    + (to.capacity() - to.end) + " bytes free");
        }
        MemorySegment.copy(segment, start, to.segment, to.end, n);
        to.end += n;
        clear();
    }

    /// Appends `bytes` (for tests and for callers that build a message in Java).
    ///
    /// @throws IllegalArgumentException when they do not fit
    public void put(byte[] bytes) {
        if (capacity() - end < bytes.length) {
            throw new IllegalArgumentException(bytes.length + " bytes do not fit in the "
                    + (capacity() - end) + " bytes free");
        }
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, end, bytes.length);
        end += bytes.length;
    }

    /// Removes and returns the remaining bytes.
    public byte[] take() {
        var out = new byte[remaining()];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, start, out, 0, out.length);
        clear();
        return out;
    }
}
