package dev.pharos.agent.linux;

import java.io.IOException;

/// A system call that failed: which call, on what, and the kernel's error.
/// `EPERM: socket(AF_INET, SOCK_RAW, 112): Operation not permitted`.
public final class NativeException extends IOException {

    private final int errno;
    private final String explanation;

    public NativeException(String call, int errno) {
        this(call, errno, Errno.describe(errno));
    }

    public NativeException(String call, int errno, String explanation) {
        super(Errno.name(errno) + ": " + call + ": " + explanation);
        this.errno = errno;
        this.explanation = explanation;
    }

    /// The same failure told of `call`: a hot path names its calls briefly and says what they
    /// were for only when one fails.
    public NativeException of(String call) {
        var e = new NativeException(call, errno, explanation);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public int errno() {
        return errno;
    }

    public boolean is(int code) {
        return errno == code;
    }
}
