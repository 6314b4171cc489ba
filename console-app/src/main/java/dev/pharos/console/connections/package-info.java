/// The operator's directors: the inventory dialog (a view) and its view model, which turns the
/// rows typed into `connect`'s inventory records.
package dev.pharos.console.connections;
