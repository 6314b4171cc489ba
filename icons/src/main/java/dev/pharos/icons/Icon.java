package dev.pharos.icons;

import java.util.Locale;

/// The semantic names of Pharos's icons: code asks for what a thing *is* (a director, a failed
/// check), never for a picture, so a redrawn icon changes nothing but its SVG file.
///
/// Each constant's SVG source is `dev/pharos/icons/svg/<fileName>.svg` on the class path, where
/// the file name is the constant's name in lower case with `-` for `_` (`REAL_SERVER` →
/// `real-server.svg`). The same name gives the node's CSS style class, `icon-real-server`.
public enum Icon {
    /// A director: the load-balancer box that runs VRRP and the service table.
    DIRECTOR("Director"),
    /// A real server: a rack unit behind a virtual server.
    REAL_SERVER("Real server"),
    /// A virtual IP address: a map pin.
    VIP("Virtual IP"),
    /// A virtual server: one address fanned out to several real servers.
    VIRTUAL_SERVER("Virtual server"),
    /// A client sending traffic to a virtual server: a laptop.
    CLIENT("Client"),
    /// A health check that passes: a check mark in a circle.
    HEALTH_UP("Healthy"),
    /// A health check that fails: a cross in a circle.
    HEALTH_DOWN("Failing"),
    /// A health check with no result yet: a question mark in a circle.
    HEALTH_UNKNOWN("Health unknown"),
    /// A real server being drained (weight 0, connections finishing): an hourglass.
    DRAINING("Draining"),
    /// The VRRP master of an instance: a crown.
    MASTER("Master"),
    /// A VRRP backup, standing by: a shield.
    BACKUP("Backup"),
    /// A VRRP instance in the fault state, or any error: a warning triangle.
    FAULT("Fault"),
    /// The drop target that removes a real server: a bin.
    BIN("Remove"),
    /// The palette entry that adds a real server: a plus.
    ADD("Add"),
    /// Moving a real server to another virtual server: four arrows.
    MOVE("Move"),
    /// A lost connection to a director: a broken chain link.
    LINK_LOST("Connection lost"),
    /// The application's own mark: a lighthouse, after the Pharos of Alexandria.
    APP("Pharos");

    private static final String SVG_DIRECTORY = "dev/pharos/icons/svg/";

    private final String description;

    Icon(String description) {
        this.description = description;
    }

    /// The base name of the SVG file and the suffix of the style class, e.g. `real-server`.
    public String fileName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /// The class-path resource of the SVG source, e.g. `dev/pharos/icons/svg/real-server.svg`.
    public String resource() {
        return SVG_DIRECTORY + fileName() + ".svg";
    }

    /// The icon's own style class, e.g. `icon-real-server`; every icon node also has `icon`.
    public String styleClass() {
        return "icon-" + fileName();
    }

    /// A short English description, used as the node's accessible text.
    public String description() {
        return description;
    }
}
