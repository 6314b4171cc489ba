package dev.pharos.console.model;

import dev.pharos.console.connect.DirectorConnection;

/// What the reader of an adopted director reports: what a connection to an agent reports (its
/// link, the state it built in the agent's terms), and the age of each piece it read.
public interface AdoptedListener extends DirectorConnection.Listener {

    void readings(HostReadings readings);
}
