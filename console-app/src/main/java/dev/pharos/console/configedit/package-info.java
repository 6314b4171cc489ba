/// The configuration editor: a director's keepalived.conf, validated live by its agent
/// (`config.validate`), applied as a whole (`config.apply` with the revision it was read at),
/// imported from and exported to files.
package dev.pharos.console.configedit;
