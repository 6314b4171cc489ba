package dev.pharos.agent.ipvs.proxy;

import java.nio.channels.SelectionKey;

/// What a [RelayLoop]'s selection key is attached to: a port's listener or one relayed connection.
sealed interface LoopHandler permits TcpListener, TcpConnection {

    /// On the loop's thread: `key` is ready.
    void onReady(SelectionKey key, RelayLoop loop);

    /// On the loop's thread, when the loop stops: release whatever this handler holds.
    void loopClosing();
}
