/// Traffic charts: connections and bytes per second of the selected virtual or real server.
package dev.pharos.console.traffic;
