package dev.pharos.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/// The JSON form of the model: the same records, addresses as strings, times as seconds
/// (`"3"`, `"0.5"`), checker and key variants tagged with `"type"`. Reading JSON validates the
/// model with the same rules as keepalived.conf.
public final class ConfigJson {

    private static final ObjectMapper MAPPER = mapper();

    private ConfigJson() {
    }

    /// The mapper for the model (also used by the control protocol for embedded configs).
    public static ObjectMapper mapper() {
        var module = new SimpleModule("pharos-config");
        module.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider p) throws IOException {
                gen.writeString(Values.format(value));
            }
        });
        module.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                var text = p.getValueAsString();
                if (text == null || !text.matches("\\d{1,9}(\\.\\d{1,9})?")) {
                    return (Duration) ctxt.handleWeirdStringValue(Duration.class, text,
                            "expected a number of seconds such as \"3\" or \"0.5\"");
                }
                return Duration.ofNanos(new BigDecimal(text).movePointRight(9).longValueExact());
            }
        });
        module.addSerializer(InetAddress.class, new JsonSerializer<>() {
            @Override
            public void serialize(InetAddress value, JsonGenerator gen, SerializerProvider p) throws IOException {
                gen.writeString(Values.format(value));
            }
        });
        module.addDeserializer(InetAddress.class, new JsonDeserializer<>() {
            @Override
            public InetAddress deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                var text = p.getValueAsString();
                var a = text == null ? null : Values.parseAddress(text);
                if (a == null) {
                    return (InetAddress) ctxt.handleWeirdStringValue(InetAddress.class, text,
                            "expected an IPv4 or IPv6 address");
                }
                return a;
            }
        });
        var mapper = JsonMapper.builder()
                .addModule(module)
                .addMixIn(CheckerDef.class, CheckerMixin.class)
                .addMixIn(VirtualServerDef.Key.class, KeyMixin.class)
                .addMixIn(VirtualServerGroupDef.Member.class, MemberMixin.class)
                .addMixIn(VrrpInstanceDef.HmacKey.class, HmacKeyMixin.class)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .serializationInclusion(JsonInclude.Include.NON_EMPTY)
                // an absent or null list is an empty one; other absent values stay null
                .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY)))
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1 << 20).build());
        return mapper;
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = CheckerDef.Http.class, name = "HTTP_GET"),
            @JsonSubTypes.Type(value = CheckerDef.Tcp.class, name = "TCP_CHECK"),
            @JsonSubTypes.Type(value = CheckerDef.Misc.class, name = "MISC_CHECK"),
            @JsonSubTypes.Type(value = CheckerDef.Dns.class, name = "DNS_CHECK")})
    private interface CheckerMixin {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = VirtualServerDef.Key.Address.class, name = "address"),
            @JsonSubTypes.Type(value = VirtualServerDef.Key.Fwmark.class, name = "fwmark"),
            @JsonSubTypes.Type(value = VirtualServerDef.Key.Group.class, name = "group")})
    private interface KeyMixin {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = VirtualServerGroupDef.Member.Address.class, name = "address"),
            @JsonSubTypes.Type(value = VirtualServerGroupDef.Member.Range.class, name = "range"),
            @JsonSubTypes.Type(value = VirtualServerGroupDef.Member.Fwmark.class, name = "fwmark")})
    private interface MemberMixin {
    }

    /// An `auth_hmac` key as its line's id and value; the bytes are read again, not carried.
    private abstract static class HmacKeyMixin {
        @JsonIgnore
        abstract byte[] material();

        @JsonCreator
        static VrrpInstanceDef.HmacKey of(@JsonProperty("id") int id, @JsonProperty("value") String value) {
            return VrrpInstanceDef.HmacKey.of(id, value);
        }
    }

    public static String toJson(KeepalivedConfig config) {
        try {
            return MAPPER.writeValueAsString(config) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException("the model could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /// Reads and validates the JSON form; `file` names the source in diagnostics.
    public static KeepalivedConfig fromJson(String json, Path file) throws ConfigException {
        KeepalivedConfig config;
        try {
            config = MAPPER.readValue(json, KeepalivedConfig.class);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            var pos = loc == null ? new Position(file, 1, 1)
                    : new Position(file, Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
            throw new ConfigException(Diagnostic.error(pos, "invalid JSON configuration: " + e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // A record constructor refused a value (e.g. a null list): still a diagnostic.
            throw new ConfigException(Diagnostic.error(new Position(file, 1, 1),
                    "invalid JSON configuration: " + e.getMessage()));
        }
        if (config.globalDefs() == null) {
            config = new KeepalivedConfig(GlobalDefs.EMPTY, config.vrrpScripts(), config.syncGroups(),
                    config.vrrpInstances(), config.virtualServerGroups(), config.virtualServers(), config.extras());
        }
        var diagnostics = new ArrayList<>(ConfigLoader.validate(config));
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(List.copyOf(diagnostics));
        }
        return config;
    }
}
