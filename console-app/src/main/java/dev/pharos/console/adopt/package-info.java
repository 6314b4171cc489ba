/// Adopting a running keepalived cluster, read-only: over SSH the console reads what a host that
/// runs plain keepalived already offers (its configuration and includes, `ip -j addr`, the IPVS
/// table, keepalived's own state dump), changes nothing there, and reports it in the agent's terms
/// ([dev.pharos.agent.api.AgentState]) so the topology draws it like any director, with the age
/// of each piece. Parsers are pure (text in, records out); [KeepalivedReader] does the polling.
package dev.pharos.console.adopt;
