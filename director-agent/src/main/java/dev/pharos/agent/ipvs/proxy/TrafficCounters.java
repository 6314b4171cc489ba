package dev.pharos.agent.ipvs.proxy;

import java.util.concurrent.atomic.LongAdder;

/// Counters of one real server or service, and their smoothed rates.
///
/// Connection threads add with [LongAdder]s (no contention between cores); only the
/// balancer's housekeeping thread calls [#estimate], as the kernel's estimator timer does.
final class TrafficCounters {

    final LongAdder connections = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder packetsIn = new LongAdder();
    final LongAdder packetsOut = new LongAdder();

    private final long[] last = new long[5];
    private final double[] avg = new double[5];
    private boolean started;
    private volatile TrafficRates rates = TrafficRates.ZERO;

    /// Takes one sample `seconds` after the previous one and moves each average a quarter of the
    /// way toward it (`ip_vs_est.c`: `avg += (rate - avg) >> 2`).
    void estimate(double seconds) {
        long[] now = {connections.sum(), packetsIn.sum(), packetsOut.sum(), bytesIn.sum(), bytesOut.sum()};
        if (started && seconds > 0) {
            for (int i = 0; i < now.length; i++) {
                var rate = (now[i] - last[i]) / seconds;
                avg[i] += (rate - avg[i]) / 4;
            }
            rates = new TrafficRates(avg[0], avg[1], avg[2], avg[3], avg[4]);
        }
        System.arraycopy(now, 0, last, 0, now.length);
        started = true;
    }

    TrafficRates rates() {
        return rates;
    }
}
