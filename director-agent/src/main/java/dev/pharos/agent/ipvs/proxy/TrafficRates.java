package dev.pharos.agent.ipvs.proxy;

/// Smoothed rates, per second, as IPVS's estimator computes them (`ip_vs_est.c`): sampled every
/// two seconds, each new sample moving the average a quarter of the way.
public record TrafficRates(double connectionsPerSecond, double packetsInPerSecond, double packetsOutPerSecond,
        double bytesInPerSecond, double bytesOutPerSecond) {

    public static final TrafficRates ZERO = new TrafficRates(0, 0, 0, 0, 0);
}
