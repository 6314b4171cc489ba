package dev.pharos.agent.vrrp;

import dev.pharos.agent.vrrp.AuthHmacSettings.AntiReplay;
import dev.pharos.agent.vrrp.AuthHmacSettings.Mode;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/// One instance's `auth_hmac`: signs its adverts and verifies its peers', with the sequence and
/// replay state keepalived 2.4.3 keeps (`vrrp_auth_hmac.c`). Address-family-neutral: addresses
/// are [InetAddress] and the PDU is located by offset, whatever header came before it.
/// Confined to the engine thread.
///
/// Verification runs keepalived's order: missing trailer, unicast sender, malformed trailer,
/// freshness (before the HMAC, so a flood of old captures costs no digest), key, HMAC, then
/// replay, whose high-water mark moves only on an authenticated advert.
final class HmacAuthenticator {

    /// Multicast senders whose sequences are remembered (`VRRP_AUTH_HMAC_MCAST_SENDERS`): several
    /// senders of one VRID exist only during contention, so a few slots suffice.
    static final int MULTICAST_SENDERS = 4;

    private final AuthHmacSettings settings;
    private final InstantSource clock;
    private final Map<Integer, AuthHmac> macs = new HashMap<>();
    private final AuthHmac signer;
    private final long windowSeconds;
    /// Unicast: one mark per configured peer; only they may send.
    private final Map<InetAddress, ReplayMark> peers = new HashMap<>();
    /// Multicast: the least recently used sender gives way.
    private final Sender[] senders = new Sender[MULTICAST_SENDERS];
    private long lruClock;
    private long sendSequence;
    /// The receiver's clock minus the seconds of the last trailer checked against the window.
    private int lastSkew;

    /// Why an advert is refused, keepalived's `vrrp_auth_hmac_result_t` and the checks around it.
    enum Failure {
        MISSING(ReceiveCheck.AUTH_HMAC_MISSING),
        NOT_A_PEER(ReceiveCheck.AUTH_HMAC_NOT_A_PEER),
        MALFORMED(ReceiveCheck.AUTH_HMAC_MALFORMED),
        UNKNOWN_KEY(ReceiveCheck.AUTH_HMAC_UNKNOWN_KEY),
        BAD_HMAC(ReceiveCheck.AUTH_HMAC_BAD_HMAC),
        STALE(ReceiveCheck.AUTH_HMAC_STALE),
        REPLAY(ReceiveCheck.AUTH_HMAC_REPLAY);

        private final ReceiveCheck check;

        Failure(ReceiveCheck check) {
            this.check = check;
        }

        /// The counter it goes to.
        ReceiveCheck check() {
            return check;
        }
    }

    /// The last accepted sequence of one sender.
    private static final class ReplayMark {
        boolean valid;
        long sequence;
    }

    private static final class Sender {
        InetAddress address;
        long lastUsed;
        final ReplayMark mark = new ReplayMark();
    }

    /// `unicastPeers` empty means multicast.
    HmacAuthenticator(AuthHmacSettings settings, InstantSource clock, List<? extends InetAddress> unicastPeers) {
        this.settings = settings;
        this.clock = clock;
        for (var k : settings.keys()) {
            macs.put(k.id(), new AuthHmac(k.material()));
        }
        this.signer = macs.get(settings.activeKey());
        this.windowSeconds = settings.timeWindow().toSeconds();
        for (var p : unicastPeers) {
            peers.put(p, new ReplayMark());
        }
        for (int i = 0; i < senders.length; i++) {
            senders[i] = new Sender();
        }
    }

    /// What a refusal means and what to do, for the log line after "advert from ADDRESS".
    String describe(Failure failure) {
        return switch (failure) {
            case MISSING -> "has no authentication trailer (auth_hmac mode enforce)";
            case NOT_A_PEER -> "is not from a unicast_peer, so it cannot be authenticated";
            case MALFORMED -> "has a malformed authentication trailer";
            case UNKNOWN_KEY -> "is signed with a key id this instance does not have; check the auth_hmac keys";
            case BAD_HMAC -> "has an invalid authentication HMAC; check the auth_hmac keys on both routers";
            case STALE -> "has a stale authentication trailer: clock skew " + lastSkew + " s exceeds the"
                    + " time_window of " + windowSeconds + " s; synchronise the clocks (NTP)";
            case REPLAY -> "is a replay (its sequence number does not grow)";
        };
    }

    /// Whether adverts carry a trailer (every mode but receive-only).
    boolean signs() {
        return settings.mode().signs();
    }

    /// Fills the trailer after the PDU at `buf[pduOffset, pduOffset + pduLength)`: the next
    /// sequence and the HMAC. `buf` must hold [AuthTrailer#LENGTH] bytes after the PDU.
    void sign(byte[] buf, int pduOffset, int pduLength, InetAddress source, int version, int vrid) {
        int at = pduOffset + pduLength;
        AuthTrailer.writePrefix(buf, at, settings.activeKey(), nextSequence());
        var hmac = signer.compute(source, version, vrid, buf, pduOffset, pduLength);
        System.arraycopy(hmac, 0, buf, at + AuthTrailer.PREFIX_LENGTH, AuthTrailer.HMAC_LENGTH);
    }

    /// Verifies an advert whose PDU is at `buf[pduOffset, pduOffset + pduLength)`, followed by a
    /// trailer when `trailed`; `source` is the IP source, `unicast` whether the instance uses
    /// unicast peers. Null when the advert is to be used, else why not.
    Failure verify(byte[] buf, int pduOffset, int pduLength, boolean trailed, InetAddress source,
            int version, int vrid, boolean unicast) {
        if (!trailed) {
            // The migration modes take adverts of nodes that do not sign yet.
            return settings.mode() == Mode.ENFORCE ? Failure.MISSING : null;
        }
        ReplayMark mark = null;
        if (unicast) {
            mark = peers.get(source);
            if (mark == null) {
                return Failure.NOT_A_PEER;
            }
        }
        AuthTrailer trailer;
        try {
            trailer = AuthTrailer.decode(buf, pduOffset + pduLength);
        } catch (MalformedPacketException e) {
            return Failure.MALFORMED;
        }
        if (settings.antiReplay() == AntiReplay.TIME) {
            lastSkew = (int) (nowSeconds() - trailer.seconds());
            if (Math.abs((long) lastSkew) > windowSeconds) {
                return Failure.STALE;
            }
        }
        var mac = macs.get(trailer.keyId());
        if (mac == null) {
            return Failure.UNKNOWN_KEY;
        }
        var expected = mac.compute(source, version, vrid, buf, pduOffset, pduLength);
        if (!MessageDigest.isEqual(expected, trailer.hmac())) {
            return Failure.BAD_HMAC;
        }
        if (mark == null) {
            mark = multicastMark(source);
        }
        return replayOk(mark, trailer.sequence()) ? null : Failure.REPLAY;
    }

    /// RFC 1982 serial number order over 64 bits: `a` comes after `b`.
    static boolean after(long a, long b) {
        return a - b > 0;
    }

    /// The clock as a sequence: seconds in the high 32 bits, then 1/65536 s, counter zero.
    private long clockSequence() {
        var now = clock.instant();
        long fraction = ((long) now.getNano() << 16) / 1_000_000_000L;
        return (now.getEpochSecond() << 32) | (fraction << 16);
    }

    /// The UTC seconds, modulo 2^32, as they go on the wire.
    private long nowSeconds() {
        return clock.instant().getEpochSecond() & 0xffff_ffffL;
    }

    /// The larger of the clock and the last sequence plus one; in time mode a sequence stranded
    /// more than the window ahead of a clock that was stepped back restarts from the clock, since
    /// receivers would refuse it as stale (keepalived 2.4.3 `next_seq`).
    private long nextSequence() {
        long clk = clockSequence();
        if (after(clk, sendSequence)) {
            sendSequence = clk;
            return sendSequence;
        }
        int ahead = (int) ((sendSequence >>> 32) - (clk >>> 32));
        if (settings.antiReplay() == AntiReplay.TIME && ahead > windowSeconds) {
            sendSequence = clk;
        } else {
            sendSequence++;
        }
        return sendSequence;
    }

    /// The mark of a multicast sender, taking the least recently used slot for a new one.
    private ReplayMark multicastMark(InetAddress source) {
        Sender victim = null;
        for (var s : senders) {
            if (s.lastUsed != 0 && source.equals(s.address)) {
                s.lastUsed = ++lruClock;
                return s.mark;
            }
            if (victim == null || s.lastUsed < victim.lastUsed) {
                victim = s;
            }
        }
        victim.address = source;
        victim.mark.valid = false;
        victim.lastUsed = ++lruClock;
        return victim.mark;
    }

    /// A sequence must come after the sender's last; in time mode a mark older than the window is
    /// forgotten first, so a sender whose clock was stepped back recovers (keepalived 2.4.3).
    private boolean replayOk(ReplayMark mark, long sequence) {
        if (mark.valid && settings.antiReplay() == AntiReplay.TIME) {
            long age = (int) (nowSeconds() - (mark.sequence >>> 32));
            if (Math.abs(age) > windowSeconds) {
                mark.valid = false;
            }
        }
        if (mark.valid && !after(sequence, mark.sequence)) {
            return false;
        }
        mark.valid = true;
        mark.sequence = sequence;
        return true;
    }
}
