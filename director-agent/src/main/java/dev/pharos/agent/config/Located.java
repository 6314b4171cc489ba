package dev.pharos.agent.config;

import java.util.Map;
import java.util.Optional;

/// A configuration and where its blocks are written (see [ConfigLoader#locate]).
///
/// @param positions the position of each block's keyword, by the identity of the model object
///                  ([VirtualServerDef], [RealServerDef], …) read from it
public record Located(KeepalivedConfig config, Map<Object, Position> positions) {

    /// Where `model`, an object of [#config], is written.
    public Optional<Position> positionOf(Object model) {
        return Optional.ofNullable(positions.get(model));
    }
}
