/// The control channel: JSON-RPC 2.0 sessions over any byte stream (a Unix socket, an SSH exec
/// channel through `attach`, an in-memory pipe in the lab), the event journal subscribers read
/// from, the Unix-socket server, and the client that `ctl`, `status`, `attach` and the console use.
package dev.pharos.agent.control;
