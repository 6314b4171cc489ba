/// The training lab in the console: the seed's director pair running in-process
/// (`dev.pharos.agent.lab.Lab`), reached through the same control protocol as real directors, with
/// one-click scenarios (stop, kill, restart a director; fail and restore a real server; cut the
/// link), clients sending traffic through the VIPs, and the measured gaps on the timeline.
package dev.pharos.console.lab;
