/// The configuration editor: a director's keepalived.conf, validated live by its agent
/// (`config.validate`), applied as a whole (`config.apply` with the revision it was read at),
/// imported from and exported to files. The view model makes the calls and does the file work
/// (as tasks on the application's executor); the view shows its state and hands it the input.
package dev.pharos.console.configedit;
