package dev.pharos.agent.ipvs.proxy;

/// What a [NativeRelayLoop]'s descriptor belongs to: a port's listener or one relayed connection.
sealed interface NativeLoopHandler permits NativeTcpListener, NativeTcpConnection {

    /// On the loop's thread: `fd` reported `events` ([dev.pharos.agent.linux.Epoll] bits).
    void onEvent(int fd, int events, NativeRelayLoop loop);

    /// On the loop's thread, when the loop stops: release `fd` and whatever else this holds.
    void loopClosing(int fd, NativeRelayLoop loop);
}
