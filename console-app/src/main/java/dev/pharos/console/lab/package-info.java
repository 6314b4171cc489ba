/// The training lab in the console: the seed's director pair running in-process
/// (`dev.pharos.agent.lab.Lab`), reached through the same control protocol as real directors, with
/// one-click scenarios (stop, kill, restart a director; fail and restore a real server; cut the
/// link), clients sending traffic through the VIPs, and the measured gaps on the timeline.
///
/// [LabMode] starts and replaces labs, [LabSession] is one running lab and the console's
/// connections to it, [LabViewModel] is what its controls show and do (its drains and priorities
/// are edits through the topology's edit service), and [LabView] and [LabPanel] are the controls.
package dev.pharos.console.lab;
