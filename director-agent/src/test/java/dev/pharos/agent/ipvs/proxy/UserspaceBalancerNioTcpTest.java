package dev.pharos.agent.ipvs.proxy;

/// [UserspaceBalancerTcpTest]'s tests on the JDK's NIO relay: the fallback where the native relay
/// cannot start, and the relay `-Dpharos.balancer.relay=nio` selects.
class UserspaceBalancerNioTcpTest extends UserspaceBalancerTcpTest {

    @Override
    UserspaceBalancer.Relay relay() {
        return UserspaceBalancer.Relay.NIO;
    }
}
