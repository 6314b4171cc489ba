/// The event timeline: VRRP transitions, health changes, edits and connection events, filterable.
/// The view model holds the rows and the filter; the view paces batches and scrolling to pulses.
package dev.pharos.console.timeline;
