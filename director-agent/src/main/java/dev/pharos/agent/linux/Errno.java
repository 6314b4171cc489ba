package dev.pharos.agent.linux;

import java.util.Map;

/// Linux errno values the agent meets, by name, with their usual text.
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int EADDRINUSE = 98;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EINPROGRESS = 115;

    private static final Map<Integer, String[]> KNOWN = Map.ofEntries(
            Map.entry(EPERM, new String[] {"EPERM", "Operation not permitted (the agent needs CAP_NET_RAW and CAP_NET_ADMIN)"}),
            Map.entry(ENOENT, new String[] {"ENOENT", "No such file or directory"}),
            Map.entry(EINTR, new String[] {"EINTR", "Interrupted system call"}),
            Map.entry(EBADF, new String[] {"EBADF", "Bad file descriptor"}),
            Map.entry(EAGAIN, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
            Map.entry(EACCES, new String[] {"EACCES", "Permission denied"}),
            Map.entry(EEXIST, new String[] {"EEXIST", "File exists"}),
            Map.entry(ENODEV, new String[] {"ENODEV", "No such device"}),
            Map.entry(ENXIO, new String[] {"ENXIO", "No such device or address"}),
            Map.entry(EINVAL, new String[] {"EINVAL", "Invalid argument"}),
            Map.entry(ENOBUFS, new String[] {"ENOBUFS", "No buffer space available"}),
            Map.entry(EADDRNOTAVAIL, new String[] {"EADDRNOTAVAIL", "Cannot assign requested address"}),
            Map.entry(ENETUNREACH, new String[] {"ENETUNREACH", "Network is unreachable"}),
            Map.entry(EADDRINUSE, new String[] {"EADDRINUSE", "Address already in use"}),
            Map.entry(EOPNOTSUPP, new String[] {"EOPNOTSUPP", "Operation not supported"}),
            Map.entry(EAFNOSUPPORT, new String[] {"EAFNOSUPPORT", "Address family not supported by protocol"}),
            Map.entry(EPROTONOSUPPORT, new String[] {"EPROTONOSUPPORT", "Protocol not supported"}),
            Map.entry(ENFILE, new String[] {"ENFILE", "Too many open files in system"}),
            Map.entry(EMFILE, new String[] {"EMFILE", "Too many open files (raise LimitNOFILE / ulimit -n)"}),
            Map.entry(EPIPE, new String[] {"EPIPE", "Broken pipe"}),
            Map.entry(ECONNABORTED, new String[] {"ECONNABORTED", "Software caused connection abort"}),
            Map.entry(ECONNRESET, new String[] {"ECONNRESET", "Connection reset by peer"}),
            Map.entry(ENOTCONN, new String[] {"ENOTCONN", "Transport endpoint is not connected"}),
            Map.entry(ETIMEDOUT, new String[] {"ETIMEDOUT", "Connection timed out"}),
            Map.entry(ECONNREFUSED, new String[] {"ECONNREFUSED", "Connection refused"}),
            Map.entry(EHOSTUNREACH, new String[] {"EHOSTUNREACH", "No route to host"}),
            Map.entry(EINPROGRESS, new String[] {"EINPROGRESS", "Operation now in progress"}));

    private Errno() {
    }

    public static String name(int errno) {
        var k = KNOWN.get(errno);
        return k == null ? "errno " + errno : k[0];
    }

    public static String describe(int errno) {
        var k = KNOWN.get(errno);
        return k == null ? Libc.strerror(errno) : k[1];
    }
}
