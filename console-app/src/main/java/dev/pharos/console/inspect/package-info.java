/// The inspector: the selected director, virtual server or real server, per director, in a
/// ControlsFX property sheet.
package dev.pharos.console.inspect;
