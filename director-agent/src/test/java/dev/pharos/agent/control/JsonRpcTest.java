package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMessage;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/// The JSON-RPC 2.0 codec: every message kind decodes and round-trips; every malformed line is one
/// specific error, never an exception of another kind.
class JsonRpcTest {

    @Test
    void decodesEachKind() throws Exception {
        assertThat(JsonRpc.decode("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"state.get\"}"))
                .isInstanceOfSatisfying(RpcMessage.Request.class, r -> {
                    assertThat(r.id()).isEqualTo(IntNode.valueOf(7));
                    assertThat(r.method()).isEqualTo("state.get");
                    assertThat(r.params().isObject()).isTrue();
                });
        assertThat(JsonRpc.decode("{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{\"a\":1}}"))
                .isInstanceOf(RpcMessage.Notification.class);
        assertThat(JsonRpc.decode("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":null}"))
                .isInstanceOfSatisfying(RpcMessage.Success.class, s -> assertThat(s.id()).isEqualTo(TextNode.valueOf("x")));
        assertThat(JsonRpc.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"no\"}}"))
                .isInstanceOfSatisfying(RpcMessage.Failure.class, f -> assertThat(f.error().code()).isEqualTo(-32601));
    }

    @Test
    void roundTripsEachKind() throws Exception {
        var messages = List.<RpcMessage>of(
                new RpcMessage.Request(IntNode.valueOf(1), "vrrp.resign", JsonRpc.tree(new Params.Resign("VI_1"))),
                new RpcMessage.Notification("event", JsonRpc.tree(new AgentEvent.Resync(3, Instant.EPOCH, "why"))),
                new RpcMessage.Success(TextNode.valueOf("a"), JsonRpc.tree(List.of(1, 2))),
                new RpcMessage.Failure(IntNode.valueOf(2), RpcError.of(Protocol.Errors.NOT_FOUND, "gone\nline")));
        for (var m : messages) {
            var line = JsonRpc.encode(m);
            assertThat(line).doesNotContain("\n");
            assertThat(JsonRpc.encode(JsonRpc.decode(line))).isEqualTo(line);
            assertThat(JsonRpc.decode(line).getClass()).isEqualTo(m.getClass());
        }
    }

    @Test
    void eventsCarryTheirTypeAndTimeAsText() throws Exception {
        var e = new AgentEvent.VrrpTransition(5, Instant.parse("2026-11-25T06:00:00Z"), "VI_1", 90, "BACKUP",
                "MASTER", "master down timer", 100);
        var tree = JsonRpc.tree(e);
        assertThat(tree.get("type").asText()).isEqualTo("vrrp.transition");
        assertThat(tree.get("at").asText()).isEqualTo("2026-11-25T06:00:00Z");
        assertThat(JsonRpc.mapper().treeToValue(tree, AgentEvent.class)).isEqualTo(e);
    }

    @Test
    void announceChangedCarriesWhatAnnounceGetWouldSay() throws Exception {
        var e = new AgentEvent.AnnounceChanged(6, Instant.parse("2026-12-07T20:00:00Z"), new Results.Announcements("bird",
                true, List.of(new Results.Announcement("192.0.2.10", true, false, false, null)),
                List.of(new Results.BgpSession("upstream", true, "Established"))));
        var tree = JsonRpc.tree(e);
        assertThat(tree.get("type").asText()).isEqualTo("announce.changed");
        assertThat(tree.at("/announcements/sessions/0/state").asText()).isEqualTo("Established");
        assertThat(JsonRpc.mapper().treeToValue(tree, AgentEvent.class)).isEqualTo(e);
        // an agent from before the sessions: none, not a failure
        var older = JsonRpc.mapper().readValue("{\"daemon\":\"frr\",\"draining\":false,\"vips\":[]}",
                Results.Announcements.class);
        assertThat(older.sessions()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                              | -32700 | not JSON",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":              | -32700 | not JSON",
            "[]                                                    | -32600 | batches",
            "42                                                    | -32600 | a number",
            "{\"id\":1,\"method\":\"x\"}                           | -32600 | jsonrpc",
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"x\"}       | -32600 | jsonrpc",
            "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}      | -32600 | id",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}     | -32600 | id",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}           | -32600 | method",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}        | -32600 | method",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3} | -32600 | params",
            "{\"jsonrpc\":\"2.0\",\"id\":1}                        | -32600 | result",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{}} | -32600 | result",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"x\"}} | -32600 | result",
    })
    void malformedLinesAreSpecificErrors(String line, int code, String mentions) {
        assertThatThrownBy(() -> JsonRpc.decode(line.strip())).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.error().code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(mentions);
        });
    }

    @Test
    void deepNestingIsAParseErrorNotAStackOverflow() {
        var deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":" + "[".repeat(100_000)
                + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> JsonRpc.decode(deep)).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.error().code()).isEqualTo(Protocol.Errors.PARSE_ERROR));
    }

    @Test
    void wrongParamTypesNameTheField() {
        var params = JsonRpc.mapper().createObjectNode().put("instance", "VI_1").put("priority", "high");
        assertThatThrownBy(() -> JsonRpc.params(params, Params.SetPriority.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
                    assertThat(e.getMessage()).contains("int");
                });
    }

    @Test
    void randomAndMutatedLinesOnlyEverGiveRpcExceptions() {
        var rnd = new Random(20261125);
        var valid = JsonRpc.encode(new RpcMessage.Request(IntNode.valueOf(1), "realServer.update",
                JsonRpc.tree(new Params.RealServerUpdate("abc", "tcp/192.0.2.1:80", "198.51.100.1:80", 3, true))));
        for (int i = 0; i < 20_000; i++) {
            String line;
            if (i % 2 == 0) {
                var b = new byte[rnd.nextInt(200)];
                rnd.nextBytes(b);
                line = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
            } else {
                var chars = valid.toCharArray();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    chars[rnd.nextInt(chars.length)] = "{}[]\":,0a\\ ".charAt(rnd.nextInt(11));
                }
                line = new String(chars, 0, rnd.nextInt(chars.length + 1));
            }
            try {
                JsonRpc.decode(line);
            } catch (RpcException e) {
                assertThat(e.error().code()).isIn(Protocol.Errors.PARSE_ERROR, Protocol.Errors.INVALID_REQUEST);
            }
        }
    }
}
