/// The event timeline: VRRP transitions, health changes, edits and connection events, filterable.
package dev.pharos.console.timeline;
