/// Pharos's own icon set: SVG sources drawn on a 24×24 grid, one file per [Icon], and the
/// [Icons] accessor that turns them into JavaFX vector nodes, tinted images and the application
/// icons.
///
/// The SVG files are read with the JDK's SAX parser, restricted to a small subset (an `<svg>` with
/// `<path>` children, `currentColor` fill); anything else is an [IconFormatException] naming the
/// file. Parameters and results are non-null throughout. Nothing here touches the FX thread except
/// [Icons#image], which must run on it.
package dev.pharos.icons;
