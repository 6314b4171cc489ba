package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.vrrp.VrrpAction.AddVips;
import dev.pharos.agent.vrrp.VrrpAction.AnnounceVips;
import dev.pharos.agent.vrrp.VrrpAction.ArmAdverTimer;
import dev.pharos.agent.vrrp.VrrpAction.ArmMasterDownTimer;
import dev.pharos.agent.vrrp.VrrpAction.CancelTimer;
import dev.pharos.agent.vrrp.VrrpAction.RemoveVips;
import dev.pharos.agent.vrrp.VrrpAction.SendAdvert;
import dev.pharos.agent.vrrp.VrrpAction.StateChanged;
import dev.pharos.agent.vrrp.VrrpEvent.AdvertReceived;
import dev.pharos.agent.vrrp.VrrpRouter.RouterState;
import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/// Every RFC 5798 §6 rule on a fake clock: the router is pure, so "now" is just an argument.
class VrrpRouterTest {

    private static final Inet4Address ME = ip("192.0.2.10");
    private static final Inet4Address LOWER_PEER = ip("192.0.2.5");
    private static final Inet4Address HIGHER_PEER = ip("192.0.2.20");
    private static final Duration CS100 = Duration.ofSeconds(1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Instant now = T0;

    private static VrrpSettings v3(int priority) {
        return VrrpSettings.of("VI_1", "eth0", 51, VrrpVersion.V3, priority, CS100,
                List.of(new VrrpSettings.VirtualAddress(ip("192.0.2.100"), 24)));
    }

    private static VrrpSettings v2(int priority, Duration interval) {
        return VrrpSettings.of("VI_2", "eth0", 90, VrrpVersion.V2, priority, interval,
                List.of(new VrrpSettings.VirtualAddress(ip("192.0.2.100"), 24)))
                .withAuth(AuthType.PASS, "1111");
    }

    /// A router and its state, stepped through events as the runtime would.
    private final class Driver {
        final VrrpRouter router;
        RouterState state;
        List<VrrpAction> last = List.of();

        Driver(VrrpSettings settings) {
            router = new VrrpRouter(settings, ME);
            state = router.initialState();
        }

        List<VrrpAction> on(VrrpEvent e) {
            var t = router.handle(state, e, now);
            state = t.state();
            last = t.actions();
            return last;
        }

        Driver started() {
            on(new VrrpEvent.Startup());
            return this;
        }

        Driver master() {
            started().on(new VrrpEvent.MasterDownTimerExpired());
            assertThat(state.state()).isEqualTo(VrrpState.MASTER);
            return this;
        }
    }

    private static AdvertReceived advert(Inet4Address from, int priority, Duration interval) {
        return new AdvertReceived(from, priority, interval);
    }

    // ---- §6.1 timers ----------------------------------------------------------------------

    @Test
    void skewTimeAndMasterDownIntervalV3_rfc5798_6_1() {
        // (256 − 100) × 100 cs / 256 = 60.9375 cs
        assertThat(VrrpRouter.skewTime(VrrpVersion.V3, 100, CS100)).isEqualTo(Duration.ofNanos(609_375_000));
        assertThat(VrrpRouter.masterDownInterval(VrrpVersion.V3, 100, CS100))
                .isEqualTo(Duration.ofNanos(3_609_375_000L));
        // 50 cs, priority 254: (2 × 50) / 256 cs = 3.90625 ms
        assertThat(VrrpRouter.skewTime(VrrpVersion.V3, 254, Duration.ofMillis(500)))
                .isEqualTo(Duration.ofNanos(3_906_000)); // keepalived rounds to the microsecond
    }

    @Test
    void v2SkewIgnoresTheAdvertInterval_rfc3768_6_1() {
        assertThat(VrrpRouter.skewTime(VrrpVersion.V2, 100, Duration.ofSeconds(3)))
                .isEqualTo(Duration.ofNanos(609_375_000));
        assertThat(VrrpRouter.masterDownInterval(VrrpVersion.V2, 100, Duration.ofSeconds(3)))
                .isEqualTo(Duration.ofNanos(9_609_375_000L));
    }

    // ---- §6.4.1 Initialize ----------------------------------------------------------------

    @Test
    void startupAsBackupArmsMasterDownInterval_rfc5798_6_4_1() {
        var d = new Driver(v3(100));
        var actions = d.on(new VrrpEvent.Startup());
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.getFirst()).isEqualTo(new ArmMasterDownTimer(Duration.ofNanos(3_609_375_000L)));
        assertThat(actions.getLast()).isEqualTo(
                new StateChanged(VrrpState.INITIALIZE, VrrpState.BACKUP, "init", T0, 100));
    }

    @Test
    void ownerGoesStraightToMasterAdvertisingBeforeVipWork_rfc5798_6_4_1() {
        var d = new Driver(v3(255));
        var actions = d.on(new VrrpEvent.Startup());
        assertThat(d.state.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions).hasSize(5);
        assertThat(actions.get(0)).isEqualTo(new SendAdvert(255));
        assertThat(actions.get(1)).isEqualTo(new ArmAdverTimer(CS100));
        assertThat(actions.get(2)).isInstanceOf(AddVips.class);
        assertThat(actions.get(3)).isInstanceOf(AnnounceVips.class);
        assertThat(actions.get(4)).isInstanceOf(StateChanged.class);
    }

    @Test
    void stateMasterIsOnlyAWish_keepalivedInitState() {
        var d = new Driver(v3(100).withInitialState(InitialState.MASTER));
        var actions = d.on(new VrrpEvent.Startup());
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        // one advert interval plus the minimum skew (1 × 100 cs / 256 = 3.906 ms)
        assertThat(actions.getFirst()).isEqualTo(new ArmMasterDownTimer(Duration.ofNanos(1_003_906_000)));
    }

    @Test
    void startupWithAFaultEntersFault() {
        var d = new Driver(v3(100));
        d.on(new VrrpEvent.FaultRaised("interface eth0 down"));
        assertThat(d.state.state()).isEqualTo(VrrpState.INITIALIZE);
        d.on(new VrrpEvent.Startup());
        assertThat(d.state.state()).isEqualTo(VrrpState.FAULT);
        d.on(new VrrpEvent.FaultCleared("interface eth0 down"));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(d.last.getFirst()).isInstanceOf(ArmMasterDownTimer.class);
    }

    // ---- §6.4.2 Backup --------------------------------------------------------------------

    @Test
    void masterDownTimerMakesBackupMaster_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        var actions = d.on(new VrrpEvent.MasterDownTimerExpired());
        assertThat(d.state.state()).isEqualTo(VrrpState.MASTER);
        assertThat(actions.getFirst()).isEqualTo(new SendAdvert(100));
        assertThat(((StateChanged) actions.getLast()).reason()).isEqualTo("master down timer expired");
        assertThat(d.state.transitions()).isEqualTo(2);
    }

    @Test
    void backupAcceptsHigherPriorityAndLearnsMasterAdverInterval_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        var actions = d.on(advert(LOWER_PEER, 150, Duration.ofSeconds(2)));
        assertThat(d.state.masterAdverInterval()).isEqualTo(Duration.ofSeconds(2));
        // 3 × 200 cs + (156 × 200 / 256) cs
        assertThat(actions).containsExactly(new ArmMasterDownTimer(Duration.ofNanos(7_218_750_000L)));
        assertThat(d.state.master()).isEqualTo(LOWER_PEER);
    }

    @Test
    void v2DoesNotLearnTheInterval_rfc3768() {
        var d = new Driver(v2(98, Duration.ofSeconds(1))).started();
        d.on(advert(HIGHER_PEER, 100, Duration.ofSeconds(1))); // 3 s + 158 / 256 s
        assertThat(d.state.masterAdverInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.last).containsExactly(new ArmMasterDownTimer(Duration.ofNanos(3_617_187_000L)));
    }

    @Test
    void backupAcceptsEqualPriority_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        assertThat(d.on(advert(LOWER_PEER, 100, CS100))).singleElement().isInstanceOf(ArmMasterDownTimer.class);
    }

    @Test
    void priorityZeroSetsTimerToSkewTime_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        assertThat(d.on(advert(HIGHER_PEER, 0, CS100)))
                .containsExactly(new ArmMasterDownTimer(Duration.ofNanos(609_375_000)));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void preemptingBackupDiscardsLowerPriority_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        assertThat(d.on(advert(HIGHER_PEER, 50, CS100))).isEmpty();
        assertThat(d.state.master()).isNull();
    }

    @Test
    void nopreemptAcceptsLowerPriority_rfc5798_6_4_2_preemptMode() {
        var d = new Driver(v3(100).withPreempt(false, Duration.ZERO)).started();
        assertThat(d.on(advert(HIGHER_PEER, 50, CS100))).singleElement().isInstanceOf(ArmMasterDownTimer.class);
    }

    @Test
    void preemptDelayHoldsOffThenPreempts_keepalivedPreemptDelay() {
        var d = new Driver(v3(100).withPreempt(true, Duration.ofSeconds(10))).started();
        assertThat(d.on(advert(HIGHER_PEER, 50, CS100))).singleElement().isInstanceOf(ArmMasterDownTimer.class);
        assertThat(d.state.preemptTime()).isEqualTo(T0.plusSeconds(10));
        now = T0.plusSeconds(9);
        assertThat(d.on(advert(HIGHER_PEER, 50, CS100))).singleElement().isInstanceOf(ArmMasterDownTimer.class);
        now = T0.plusSeconds(11);
        assertThat(d.on(advert(HIGHER_PEER, 50, CS100))).isEmpty();
        // a higher-priority master cancels the started delay
        d.on(advert(HIGHER_PEER, 200, CS100));
        assertThat(d.state.preemptTime()).isNull();
    }

    @Test
    void adverTimerOnlyMattersToMasterAndMasterDownOnlyToBackup() {
        var d = new Driver(v3(100)).started();
        assertThat(d.on(new VrrpEvent.AdverTimerExpired())).isEmpty();
        d.on(new VrrpEvent.MasterDownTimerExpired());
        assertThat(d.on(new VrrpEvent.MasterDownTimerExpired())).isEmpty();
        assertThat(d.state.state()).isEqualTo(VrrpState.MASTER);
    }

    // ---- §6.4.3 Master --------------------------------------------------------------------

    @Test
    void adverTimerSendsAndRearms_rfc5798_6_4_3() {
        var d = new Driver(v3(100)).master();
        assertThat(d.on(new VrrpEvent.AdverTimerExpired()))
                .containsExactly(new SendAdvert(100), new ArmAdverTimer(CS100));
    }

    @Test
    void masterStepsDownForHigherPriority_rfc5798_6_4_3() {
        var d = new Driver(v3(100)).master();
        var actions = d.on(advert(LOWER_PEER, 150, Duration.ofMillis(500)));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.get(0)).isInstanceOf(RemoveVips.class);
        // learned 50 cs: 150 cs + 156 × 50 / 256 cs
        assertThat(actions.get(1)).isEqualTo(new ArmMasterDownTimer(Duration.ofNanos(1_804_687_000L)));
    }

    @Test
    void equalPriorityHigherAddressWins_rfc5798_6_4_3() {
        var d = new Driver(v3(100)).master();
        assertThat(d.on(advert(LOWER_PEER, 100, CS100))).containsExactly(new SendAdvert(100), new ArmAdverTimer(CS100));
        assertThat(d.state.state()).isEqualTo(VrrpState.MASTER);
        d.on(advert(HIGHER_PEER, 100, CS100));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(((StateChanged) d.last.getLast()).reason()).contains("higher address 192.0.2.20");
    }

    /// keepalived's default: a losing advert is answered at once and the Adver_Timer starts again
    /// (vrrp_dispatcher_read); `lower_prio_no_advert` discards it as RFC 5798 §6.4.3 says.
    @Test
    void lowerPriorityIsAnsweredUnlessLowerPrioNoAdvert() {
        var answering = new Driver(v3(100)).master();
        assertThat(answering.on(advert(HIGHER_PEER, 90, CS100))).containsExactly(new SendAdvert(100), new ArmAdverTimer(CS100));
        assertThat(answering.state.state()).isEqualTo(VrrpState.MASTER);

        var quiet = new Driver(v3(100).withAnswers(new VrrpSettings.MasterAnswers(true, false))).master();
        assertThat(quiet.on(advert(HIGHER_PEER, 90, CS100))).isEmpty();
        assertThat(quiet.on(advert(LOWER_PEER, 100, CS100))).isEmpty();
        assertThat(quiet.state.state()).isEqualTo(VrrpState.MASTER);
        assertThat(quiet.on(advert(HIGHER_PEER, 0, CS100))).as("priority 0 is still answered (§6.4.3)")
                .containsExactly(new SendAdvert(100), new ArmAdverTimer(CS100));
    }

    /// `higher_prio_send_advert`: one advert of our own priority before stepping down; by default none.
    @Test
    void higherPriorityStepsDownWithALastAdvertOnlyWhenAsked() {
        var plain = new Driver(v3(100)).master();
        assertThat(plain.on(advert(LOWER_PEER, 110, CS100))).noneMatch(SendAdvert.class::isInstance);
        assertThat(plain.state.state()).isEqualTo(VrrpState.BACKUP);

        var telling = new Driver(v3(100).withAnswers(new VrrpSettings.MasterAnswers(false, true))).master();
        var actions = telling.on(advert(LOWER_PEER, 110, CS100));
        assertThat(actions.getFirst()).isEqualTo(new SendAdvert(100));
        assertThat(actions).filteredOn(SendAdvert.class::isInstance).hasSize(1);
        assertThat(actions).contains(new RemoveVips());
        assertThat(telling.state.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void ownAdvertLoopedBackIsIgnored() {
        var d = new Driver(v3(100)).master();
        assertThat(d.on(advert(ME, 100, CS100))).isEmpty();
    }

    @Test
    void masterAnswersPriorityZeroAtOnce_rfc5798_6_4_3() {
        var d = new Driver(v3(100)).master();
        assertThat(d.on(advert(HIGHER_PEER, 0, CS100)))
                .containsExactly(new SendAdvert(100), new ArmAdverTimer(CS100));
    }

    @Test
    void shutdownOfMasterSendsPriorityZero_rfc5798_6_4_3() {
        var d = new Driver(v3(100)).master();
        var actions = d.on(new VrrpEvent.Shutdown());
        assertThat(d.state.state()).isEqualTo(VrrpState.INITIALIZE);
        assertThat(actions.subList(0, 3)).containsExactly(new CancelTimer(), new SendAdvert(0), new RemoveVips());
        assertThat(d.on(new VrrpEvent.Shutdown())).isEmpty();
    }

    @Test
    void shutdownOfBackupOnlyCancelsTimer_rfc5798_6_4_2() {
        var d = new Driver(v3(100)).started();
        assertThat(d.on(new VrrpEvent.Shutdown()).getFirst()).isEqualTo(new CancelTimer());
        assertThat(d.state.state()).isEqualTo(VrrpState.INITIALIZE);
    }

    // ---- FAULT, priority, tracking, commands ------------------------------------------------

    @Test
    void masterFaultSendsPriorityZeroAndRecoversAsBackup_keepalivedFault() {
        var d = new Driver(v3(100)).master();
        var actions = d.on(new VrrpEvent.FaultRaised("track_script chk_nginx"));
        assertThat(d.state.state()).isEqualTo(VrrpState.FAULT);
        assertThat(actions).contains(new SendAdvert(0), new RemoveVips());
        assertThat(d.on(advert(LOWER_PEER, 50, CS100))).isEmpty();
        d.on(new VrrpEvent.FaultRaised("interface eth0 down"));
        d.on(new VrrpEvent.FaultCleared("track_script chk_nginx"));
        assertThat(d.state.state()).isEqualTo(VrrpState.FAULT);
        d.on(new VrrpEvent.FaultCleared("interface eth0 down"));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(((StateChanged) d.last.getLast()).reason()).isEqualTo("interface eth0 down recovered");
    }

    @Test
    void effectivePriorityIsClampedAndOwnerKeeps255() {
        var d = new Driver(v3(100));
        d.on(new VrrpEvent.TrackWeightChanged(200));
        assertThat(d.state.effectivePriority()).isEqualTo(254);
        d.on(new VrrpEvent.TrackWeightChanged(-150));
        assertThat(d.state.effectivePriority()).isEqualTo(1);
        var owner = new Driver(v3(255));
        owner.on(new VrrpEvent.TrackWeightChanged(-50));
        assertThat(owner.state.effectivePriority()).isEqualTo(255);
    }

    @Test
    void masterAdvertisesAChangedPriorityAtOnce() {
        var d = new Driver(v3(100)).master();
        assertThat(d.on(new VrrpEvent.TrackWeightChanged(-20)))
                .containsExactly(new SendAdvert(80), new ArmAdverTimer(CS100));
        assertThat(d.on(new VrrpEvent.SetPriority(90))).containsExactly(new SendAdvert(70), new ArmAdverTimer(CS100));
        assertThatThrownBy(() -> d.on(new VrrpEvent.SetPriority(0))).hasMessageContaining("(VI_1) priority 0");
    }

    @Test
    void resignHandsOverAndHoldsBack() {
        var d = new Driver(v3(200)).master();
        var actions = d.on(new VrrpEvent.Resign());
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(actions.getFirst()).isEqualTo(new SendAdvert(0));
        // the new, lower-priority master is accepted instead of preempted
        assertThat(d.on(advert(LOWER_PEER, 100, CS100))).singleElement().isInstanceOf(ArmMasterDownTimer.class);
        // setting the priority ends the hold
        d.on(new VrrpEvent.SetPriority(200));
        assertThat(d.on(advert(LOWER_PEER, 100, CS100))).isEmpty();
    }

    @Test
    void syncGroupEventsMoveMembers() {
        var d = new Driver(v3(100)).started();
        d.on(new VrrpEvent.SyncGroupMaster("G1"));
        assertThat(d.state.state()).isEqualTo(VrrpState.MASTER);
        d.on(new VrrpEvent.SyncGroupBackup("G1"));
        assertThat(d.state.state()).isEqualTo(VrrpState.BACKUP);
        d.on(new VrrpEvent.FaultRaised("sync group G1"));
        d.on(new VrrpEvent.SyncGroupMaster("G1"));
        assertThat(d.state.state()).isEqualTo(VrrpState.FAULT);
    }
}
