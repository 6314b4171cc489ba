package dev.pharos.agent.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Against the real kernel: generic netlink needs no privileges, only Linux.
class GenericNetlinkTest {

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"), "generic netlink is Linux's");
    }

    @Test
    void theControllerResolvesItselfToItsFixedId() throws Exception {
        try (var genl = GenericNetlink.open()) {
            // GENL_ID_CTRL is fixed at NLMSG_MIN_TYPE (0x10)
            assertEquals(Optional.of(0x10), genl.resolveFamily("nlctrl"));
        }
    }

    @Test
    void ipvsIsAbsentOnAKernelWithoutIpVs() throws Exception {
        assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has IPVS loaded");
        try (var genl = GenericNetlink.open()) {
            assertEquals(Optional.empty(), genl.resolveFamily("IPVS"));
            assertEquals(Optional.empty(), genl.resolveFamily("no-such-family"));
        }
    }

    @Test
    void aDumpOfAllFamiliesEndsWithDoneAndCarriesTheRequestsSequence() throws Exception {
        int seq = 0x5eed;
        // nlmsghdr: len 20, type GENL_ID_CTRL, flags REQUEST|DUMP (0x301), seq, pid 0;
        // genlmsghdr: CTRL_CMD_GETFAMILY (3), version 1
        var request = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(20).putShort((short) 0x10)
                .putShort((short) 0x301).putInt(seq).putInt(0).put((byte) 3).put((byte) 1).putShort((short) 0).array();
        try (var genl = GenericNetlink.open()) {
            var replies = genl.transact(request);

            assertTrue(replies.size() >= 2, "nlctrl itself and at least NLMSG_DONE");
            for (var m : replies) {
                var b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
                assertEquals(m.length, b.getInt(0));
                assertEquals(seq, b.getInt(8));
            }
            var last = ByteBuffer.wrap(replies.getLast()).order(ByteOrder.nativeOrder());
            assertEquals(3, last.getShort(4), "NLMSG_DONE");
            assertFalse(replies.subList(0, replies.size() - 1).stream()
                    .anyMatch(m -> ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getShort(4) != 0x10));
        }
    }

    @Test
    void anAcknowledgedRequestEndsWithTheKernelsError() throws Exception {
        // CTRL_CMD_GETFAMILY with NLM_F_ACK and no name: the controller refuses with EINVAL
        var request = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(20).putShort((short) 0x10)
                .putShort((short) 0x5).putInt(77).putInt(0).put((byte) 3).put((byte) 1).putShort((short) 0).array();
        try (var genl = GenericNetlink.open()) {
            var replies = genl.transact(request);

            var last = ByteBuffer.wrap(replies.getLast()).order(ByteOrder.nativeOrder());
            assertEquals(2, last.getShort(4), "NLMSG_ERROR");
            assertTrue(last.getInt(16) < 0, "a negative errno");
        }
    }

    @Test
    void aClosedSocketSaysSo() throws Exception {
        var genl = GenericNetlink.open();
        genl.close();
        var e = assertThrows(NativeException.class, () -> genl.resolveFamily("nlctrl"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        try (var open = GenericNetlink.open()) {
            assertThrows(IllegalArgumentException.class, () -> open.transact(new byte[3]));
        }
    }
}
