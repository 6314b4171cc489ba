/// The configuration editor: a director's keepalived.conf as written (`config.get` gives the
/// file's own text), with line numbers and the agent's findings marked in it, validated live by
/// its agent (`config.validate`), applied as a whole (`config.apply` with the revision it was read
/// at), imported from and exported to files; changes not applied are asked about before they are
/// dropped. The view model makes the calls and does the file work (as tasks on the application's
/// executor); the views show its state and hand it the input.
package dev.pharos.console.configedit;
