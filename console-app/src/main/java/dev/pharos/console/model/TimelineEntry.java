package dev.pharos.console.model;

import java.time.Instant;

/// One line of the event timeline.
///
/// @param kind `vrrp`, `health`, `edit`, `config`, `connection`, `component`, `announce`
public record TimelineEntry(Instant at, String director, String kind, String subject, String text) {
}
