/// Traffic charts: connections and bytes per second of the selected virtual or real server.
/// The view model derives the samples from the model; the view charts them.
package dev.pharos.console.traffic;
