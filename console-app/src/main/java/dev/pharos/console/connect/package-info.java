/// Reaching directors: SSH with JSch (keys, ssh-agent, password last; strict host-key checking
/// against `known_hosts`; `~/.ssh/config` aliases; jump hosts), the agent's control channel over
/// `director-agent attach` on an exec channel, keep-alives, heartbeats and reconnection with
/// backoff. Nothing here touches JavaFX: the view models marshal onto the FX thread.
package dev.pharos.console.connect;
