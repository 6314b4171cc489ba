/// Health checks of real servers, as keepalived's checker does them: the specs ([CheckSpec],
/// mapped from the configuration by [CheckPlan#from]), one [Probe] per checker type
/// ([HttpProbe] for `HTTP_GET` and `SSL_GET`, [TcpProbe], [MiscProbe], [DnsProbe]), each making one
/// attempt and returning a [ProbeResult], and one runner, [CheckScheduler], that owns every timing
/// rule (delay_loop, warmup, retry, delay_before_retry, alpha) through [CheckerState] and reports
/// [CheckEvent]s per real server.
///
/// Probes never retry and never sleep; the scheduler never does I/O. `TCP_CHECK` and plain
/// `HTTP_GET` run as non-blocking exchanges on one [CheckLoop] thread, which also keeps the
/// timers; the other probes block on virtual threads. A semaphore bounds the attempts in flight,
/// and each attempt is bounded by its own deadline.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.check;
