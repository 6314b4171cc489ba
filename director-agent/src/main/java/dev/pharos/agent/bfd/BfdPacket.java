package dev.pharos.agent.bfd;

import dev.pharos.agent.bfd.MalformedPacketException.Reason;
import java.nio.ByteBuffer;
import java.time.Duration;

/// A BFD control packet without authentication (RFC 5880 §4.1): 24 bytes, big-endian.
///
/// ```
///  0                   1                   2                   3
/// |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
/// |                       My Discriminator                        |
/// |                      Your Discriminator                       |
/// |                    Desired Min TX Interval                    |
/// |                   Required Min RX Interval                    |
/// |                 Required Min Echo RX Interval                 |
/// ```
///
/// Discriminators are unsigned 32-bit values held in an `int`; the intervals travel in
/// microseconds. Pure: bytes in, a record out, or one [MalformedPacketException].
///
/// @param controlPlaneIndependent the C bit
/// @param demand                  the D bit (Pharos never sets it: asynchronous mode only)
public record BfdPacket(BfdDiagnostic diagnostic, BfdState state, boolean poll, boolean fin,
        boolean controlPlaneIndependent, boolean demand, int detectMult, int myDiscriminator,
        int yourDiscriminator, Duration desiredMinTxInterval, Duration requiredMinRxInterval,
        Duration requiredMinEchoRxInterval) {

    /// The length of the mandatory section, and of every packet Pharos sends.
    public static final int LENGTH = 24;
    private static final int VERSION = 1;
    private static final long MAX_MICROS = 0xFFFF_FFFFL;

    public BfdPacket {
        if (detectMult < 1 || detectMult > 255) {
            throw new IllegalArgumentException("Detect Mult " + detectMult + " is outside 1–255");
        }
        if (poll && fin) {
            throw new IllegalArgumentException("a packet carries Poll or Final, not both");
        }
        for (var d : new Duration[] {desiredMinTxInterval, requiredMinRxInterval, requiredMinEchoRxInterval}) {
            if (d.isNegative() || micros(d) > MAX_MICROS) {
                throw new IllegalArgumentException("interval " + d + " does not fit 32 bits of microseconds");
            }
        }
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }

    /// The packet's 24 bytes.
    public byte[] encode() {
        var b = ByteBuffer.allocate(LENGTH);
        b.put((byte) (VERSION << 5 | diagnostic.ordinal()));
        b.put((byte) (state.wire() << 6 | (poll ? 0x20 : 0) | (fin ? 0x10 : 0) | (controlPlaneIndependent ? 0x08 : 0)
                | (demand ? 0x02 : 0)));
        b.put((byte) detectMult);
        b.put((byte) LENGTH);
        b.putInt(myDiscriminator);
        b.putInt(yourDiscriminator);
        b.putInt((int) micros(desiredMinTxInterval));
        b.putInt((int) micros(requiredMinRxInterval));
        b.putInt((int) micros(requiredMinEchoRxInterval));
        return b.array();
    }

    /// Reads a UDP payload, applying RFC 5880 §6.8.6's checks that need no session, and
    /// keepalived's two extra ones (Poll with Final, an undefined diagnostic).
    public static BfdPacket decode(byte[] payload) throws MalformedPacketException {
        return decode(payload, payload.length);
    }

    /// As [#decode(byte[])] for the first `length` bytes of `buffer`.
    public static BfdPacket decode(byte[] buffer, int length) throws MalformedPacketException {
        if (length < LENGTH) {
            throw new MalformedPacketException(Reason.TOO_SHORT, length + " bytes; a BFD control packet has at least "
                    + LENGTH);
        }
        var b = ByteBuffer.wrap(buffer, 0, length);
        int first = b.get() & 0xFF;
        int flags = b.get() & 0xFF;
        int detectMult = b.get() & 0xFF;
        int declared = b.get() & 0xFF;
        int version = first >>> 5;
        if (version != VERSION) {
            throw new MalformedPacketException(Reason.BAD_VERSION, "version " + version + "; BFD is version 1");
        }
        boolean auth = (flags & 0x04) != 0;
        if (declared < LENGTH || declared > length) {
            throw new MalformedPacketException(Reason.BAD_LENGTH, "Length " + declared + " with " + length
                    + " bytes received; it must be " + LENGTH + "–" + length);
        }
        if (detectMult == 0) {
            throw new MalformedPacketException(Reason.ZERO_DETECT_MULT, "Detect Mult is zero");
        }
        if ((flags & 0x01) != 0) {
            throw new MalformedPacketException(Reason.MULTIPOINT, "the Multipoint bit is set");
        }
        int my = b.getInt();
        int your = b.getInt();
        var state = BfdState.ofWire(flags >>> 6);
        if (my == 0) {
            throw new MalformedPacketException(Reason.ZERO_MY_DISCRIMINATOR, "My Discriminator is zero");
        }
        if (your == 0 && state != BfdState.DOWN && state != BfdState.ADMIN_DOWN) {
            throw new MalformedPacketException(Reason.ZERO_YOUR_DISCRIMINATOR, "Your Discriminator is zero in state "
                    + state.rfcName());
        }
        if (auth) {
            throw new MalformedPacketException(Reason.AUTHENTICATION,
                    "the Authentication Present bit is set; Pharos (like keepalived) runs BFD without authentication");
        }
        boolean poll = (flags & 0x20) != 0;
        boolean fin = (flags & 0x10) != 0;
        if (poll && fin) {
            throw new MalformedPacketException(Reason.POLL_AND_FINAL, "both Poll and Final are set");
        }
        int diag = first & 0x1F;
        if (diag >= BfdDiagnostic.values().length) {
            throw new MalformedPacketException(Reason.BAD_DIAGNOSTIC, "diagnostic " + diag + " is not defined");
        }
        var tx = Duration.ofNanos(Integer.toUnsignedLong(b.getInt()) * 1000);
        var rx = Duration.ofNanos(Integer.toUnsignedLong(b.getInt()) * 1000);
        var echo = Duration.ofNanos(Integer.toUnsignedLong(b.getInt()) * 1000);
        return new BfdPacket(BfdDiagnostic.values()[diag], state, poll, fin, (flags & 0x08) != 0, (flags & 0x02) != 0,
                detectMult, my, your, tx, rx, echo);
    }
}
