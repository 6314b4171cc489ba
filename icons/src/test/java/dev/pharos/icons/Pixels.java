package dev.pharos.icons;

import javafx.scene.image.Image;

/// Facts about an image's pixels, for the tests that check a rendering is not blank.
record Pixels(int width, int height, int[] argb) {
    static Pixels of(Image image) {
        int width = (int) image.getWidth();
        int height = (int) image.getHeight();
        var argb = new int[width * height];
        var reader = image.getPixelReader();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                argb[y * width + x] = reader.getArgb(x, y);
            }
        }
        return new Pixels(width, height, argb);
    }

    /// Pixels with any coverage (alpha above zero).
    long visible() {
        return java.util.Arrays.stream(argb).filter(p -> (p >>> 24) != 0).count();
    }

    /// The number of different ARGB values.
    long distinct() {
        return java.util.Arrays.stream(argb).distinct().count();
    }

    /// The largest difference of any premultiplied channel between this and `other` (so the
    /// colour of a fully transparent pixel, which PNG encoders may change, does not count).
    int maxChannelDifference(Pixels other) {
        if (width != other.width || height != other.height) {
            throw new IllegalArgumentException("sizes differ: %dx%d and %dx%d".formatted(width, height, other.width, other.height));
        }
        int max = 0;
        for (int i = 0; i < argb.length; i++) {
            for (int shift = 0; shift < 32; shift += 8) {
                max = Math.max(max, Math.abs(premultiplied(argb[i], shift) - premultiplied(other.argb[i], shift)));
            }
        }
        return max;
    }

    private static int premultiplied(int argb, int shift) {
        int alpha = argb >>> 24;
        int channel = (argb >>> shift) & 0xff;
        return shift == 24 ? alpha : channel * alpha / 255;
    }
}
