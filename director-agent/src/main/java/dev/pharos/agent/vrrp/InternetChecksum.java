package dev.pharos.agent.vrrp;

/// The 16-bit one's-complement Internet checksum (RFC 1071), accumulated over several parts.
final class InternetChecksum {
    private long sum;

    InternetChecksum add(byte[] data, int offset, int length) {
        int i = offset;
        int end = offset + length;
        for (; i + 1 < end; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < end) {
            // An odd trailing byte is padded with a zero byte (RFC 1071 §4.1).
            sum += (data[i] & 0xff) << 8;
        }
        return this;
    }

    int finish() {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    static int of(byte[] data, int offset, int length) {
        return new InternetChecksum().add(data, offset, length).finish();
    }
}
