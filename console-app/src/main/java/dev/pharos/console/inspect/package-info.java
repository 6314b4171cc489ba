/// The inspector: the selected director, virtual server or real server, per director, in a
/// ControlsFX property sheet. The view model makes the rows; the view renders them.
package dev.pharos.console.inspect;
