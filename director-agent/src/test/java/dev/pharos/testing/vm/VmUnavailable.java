package dev.pharos.testing.vm;

/// The guest cannot be booted on this host (no QEMU, busybox or kernel), and why: a test skips
/// with this message rather than fail.
public final class VmUnavailable extends Exception {

    VmUnavailable(String message) {
        super(message);
    }
}
