package dev.pharos.testing.vm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/// Writes a cpio archive in the "newc" format, the one the kernel unpacks as an initramfs
/// (`Documentation/driver-api/early-userspace/buffer-format.rst`). Written here rather than run
/// through `cpio(1)` because it may be missing, and because device nodes need no privileges in an
/// archive.
final class Cpio {

    private static final int TYPE = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int SYMLINK = 0120000;
    private static final int CHARACTER_DEVICE = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int inode = 1;

    Cpio directory(String path) {
        return entry(path, DIRECTORY | 0755, new byte[0], 0, 0);
    }

    Cpio file(String path, int permissions, byte[] content) {
        return entry(path, REGULAR | permissions, content, 0, 0);
    }

    Cpio symlink(String path, String target) {
        return entry(path, SYMLINK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    Cpio characterDevice(String path, int permissions, int major, int minor) {
        return entry(path, CHARACTER_DEVICE | permissions, new byte[0], major, minor);
    }

    /// The archive, closed by its trailer.
    byte[] finish() {
        entry("TRAILER!!!", 0, new byte[0], 0, 0);
        return out.toByteArray();
    }

    private Cpio entry(String path, int mode, byte[] content, int rdevMajor, int rdevMinor) {
        var name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        var header = new StringBuilder("070701");
        int nlink = (mode & TYPE) == DIRECTORY ? 2 : 1;
        for (long field : new long[] {inode++, mode, 0, 0, nlink, 0, content.length, 0, 0, rdevMajor, rdevMinor,
                name.length, 0}) {
            header.append(String.format("%08x", field));
        }
        out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(name);
        pad();
        out.writeBytes(content);
        pad();
        return this;
    }

    private void pad() {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
