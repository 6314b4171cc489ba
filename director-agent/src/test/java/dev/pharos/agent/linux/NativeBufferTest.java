package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/// The native relay buffer's bookkeeping: append, move the unsent rest, take, and refusals.
class NativeBufferTest {

    @Test
    void putMoveAndTakeKeepTheBytesInOrder() {
        var a = NativeBuffer.allocate(8);
        assertThat(a.capacity()).isEqualTo(8);
        assertThat(a.isEmpty()).isTrue();
        a.put(new byte[] {1, 2, 3});
        a.put(new byte[] {4});
        assertThat(a.remaining()).isEqualTo(4);
        var b = NativeBuffer.allocate(8);
        b.put(new byte[] {9});
        a.moveRemainingTo(b);
        assertThat(a.isEmpty()).isTrue();
        assertThat(b.take()).containsExactly(9, 1, 2, 3, 4);
        assertThat(b.isEmpty()).isTrue();
        b.put(new byte[8]);
        b.clear();
        assertThat(b.remaining()).isZero();
    }

    @Test
    void overflowsAndEmptyBuffersAreRefused() {
        var a = NativeBuffer.allocate(4);
        assertThatThrownBy(() -> a.put(new byte[5])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("5 bytes do not fit in the 4 bytes free");
        a.put(new byte[3]);
        var small = NativeBuffer.allocate(2);
        assertThatThrownBy(() -> a.moveRemainingTo(small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot move 3 bytes into a buffer with 2 bytes free");
        assertThat(a.remaining()).as("unchanged after a refused move").isEqualTo(3);
        assertThatThrownBy(() -> NativeBuffer.allocate(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a native buffer needs a positive capacity, not 0");
    }
}
