/// The operator's edits: each gesture becomes one RPC per director that carries the virtual
/// server, with that director's `baseRevision`; pending while in flight; undo and redo.
package dev.pharos.console.edit;
