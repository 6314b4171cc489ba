package dev.pharos.console.topology;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/// A picture as ARGB pixels, row after row (`argb.length == width * height`): what the view
/// hands over for export, copied from a snapshot on the FX thread (the image belongs to it).
public record Picture(int width, int height, int[] argb) {

    /// Encodes it as a PNG into `file` (blocking: off the FX thread).
    void writePng(Path file) throws IOException {
        var out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, width, height, argb, 0, width);
        if (!ImageIO.write(out, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
