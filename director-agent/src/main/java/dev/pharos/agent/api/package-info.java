/// The control protocol's messages as records, shared by the agent's control channel and the
/// console: JSON-RPC 2.0, one JSON object per line. Every method, with examples, is described in
/// `docs/protocol.md`. This package depends on nothing else in Pharos (the console and the lab use
/// it on any OS); values absent on the wire are `null`.
package dev.pharos.agent.api;
