/// The agent's composition root: builds the VRRP engine, the checker, the service table and the
/// control channel from one loaded configuration, runs them, supervises them, and implements the
/// control protocol's operations over them. Everything here is wiring; the rules live in the
/// packages it wires.
package dev.pharos.agent.daemon;
