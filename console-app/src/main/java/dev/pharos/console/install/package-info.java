/// Adding a director: over SSH the console finds out what a host is (OS, architecture, init system,
/// a running keepalived and its configuration), uploads the agent's Debian package and installs it,
/// checks keepalived's configuration with the installed agent, and on the operator's word stops
/// keepalived and starts the agent on that configuration; it rolls back to keepalived on a failure
/// or when asked. [RemoteInstall] holds every remote command; [AddDirectorViewModel] runs them as
/// steps; [AddDirectorView] shows them.
package dev.pharos.console.install;
