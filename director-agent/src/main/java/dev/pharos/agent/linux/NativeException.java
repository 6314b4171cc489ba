package dev.pharos.agent.linux;

import java.io.IOException;

/// A system call that failed: which call, on what, and the kernel's error.
/// `EPERM: socket(AF_INET, SOCK_RAW, 112): Operation not permitted`.
public final class NativeException extends IOException {

    private final int errno;
    private final String call;

    public NativeException(String call, int errno) {
        super(Errno.name(errno) + ": " + call + ": " + Errno.describe(errno));
        this.errno = errno;
        this.call = call;
    }

    public NativeException(String call, int errno, String explanation) {
        super(Errno.name(errno) + ": " + call + ": " + explanation);
        this.errno = errno;
        this.call = call;
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }

    public boolean is(int code) {
        return errno == code;
    }
}
