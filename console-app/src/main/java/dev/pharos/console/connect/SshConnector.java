package dev.pharos.console.connect;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.OpenSSHConfig;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UIKeyboardInteractive;
import com.jcraft.jsch.UnixDomainSocketFactory;
import com.jcraft.jsch.UserInfo;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/// Opens [AgentLink]s over SSH with JSch: `~/.ssh/config` aliases, an explicit key or the
/// ssh-agent (then the usual `~/.ssh/id_*` keys), a password only as the last resort, strict
/// host-key checking, keep-alives, an optional jump host, and the agent reached by running
/// `director-agent attach` on an exec channel.
public final class SshConnector {

    private static final System.Logger LOG = System.getLogger(SshConnector.class.getName());

    private final Path knownHosts;
    private final Path sshConfig;
    private final HostKeyPolicy policy;
    private final Prompts prompts;

    /// @param knownHosts `~/.ssh/known_hosts` (created when missing)
    /// @param sshConfig  `~/.ssh/config`, or null to ignore it
    public SshConnector(Path knownHosts, Path sshConfig, HostKeyPolicy policy, Prompts prompts) {
        this.knownHosts = knownHosts;
        this.sshConfig = sshConfig;
        this.policy = policy;
        this.prompts = prompts;
    }

    /// The user's own files: `~/.ssh/known_hosts` and `~/.ssh/config`.
    public static SshConnector forUser(HostKeyPolicy policy, Prompts prompts) {
        var ssh = Path.of(System.getProperty("user.home"), ".ssh");
        return new SshConnector(ssh.resolve("known_hosts"), ssh.resolve("config"), policy, prompts);
    }

    /// Connects, starts the agent command and says hello. Every failure is an [IOException]
    /// whose message says what failed and what to do ([HostKeyChangedException] for a changed key).
    public AgentLink connect(DirectorEndpoint endpoint, Duration timeout) throws IOException {
        var sessions = new ArrayList<Session>();
        try {
            var session = open(endpoint, timeout, sessions);
            var channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand(endpoint.agentCommand());
            var stderr = new LimitedBuffer(4096);
            channel.setErrStream(stderr, true);
            var in = channel.getInputStream();
            var out = channel.getOutputStream();
            channel.connect((int) timeout.toMillis());
            var all = List.copyOf(sessions);
            var client = ControlClient.over(in, out, () -> {
                channel.disconnect();
                for (int i = all.size() - 1; i >= 0; i--) {
                    all.get(i).disconnect();
                }
            }, endpoint.name());
            try {
                var hello = new AgentClient(client, timeout).call(Methods.HELLO, Params.None.NONE);
                if (hello.protocolVersion() != Protocol.VERSION) {
                    LOG.log(Level.WARNING, "{0} speaks protocol {1}, this console {2}", endpoint.name(),
                            hello.protocolVersion(), Protocol.VERSION);
                }
                return new AgentLink(endpoint, client, hello);
            } catch (IOException | RpcException e) {
                client.close();
                var remote = stderr.text().strip();
                throw new IOException("`" + endpoint.agentCommand() + "` on " + endpoint.name() + " did not answer"
                        + (remote.isEmpty() ? ": " + e.getMessage() : ": " + remote), e);
            }
        } catch (JSchException e) {
            for (var s : sessions) {
                s.disconnect();
            }
            throw translate(endpoint, e);
        } catch (IOException | RuntimeException e) {
            for (var s : sessions) {
                s.disconnect();
            }
            throw e;
        }
    }

    /// Opens an SSH session to the host alone, for reading what it offers ([RemoteHost]): the
    /// same keys, host-key checks and jump host as [#connect], no agent command.
    public RemoteHost openHost(DirectorEndpoint endpoint, Duration timeout) throws IOException {
        var sessions = new ArrayList<Session>();
        try {
            open(endpoint, timeout, sessions);
            return new RemoteHost(endpoint.name(), sessions, timeout);
        } catch (JSchException e) {
            for (var s : sessions) {
                s.disconnect();
            }
            throw translate(endpoint, e);
        } catch (IOException | RuntimeException e) {
            for (var s : sessions) {
                s.disconnect();
            }
            throw e;
        }
    }

    /// The session to `endpoint` (through its jump host, if any); every session opened is added
    /// to `sessions`, the endpoint's last, so the caller can close them all in reverse.
    private Session open(DirectorEndpoint endpoint, Duration timeout, List<Session> sessions)
            throws JSchException, IOException {
        var jsch = jsch(endpoint);
        var strict = (StrictHostKeys) jsch.getHostKeyRepository();
        String host = endpoint.host();
        int port = endpoint.port();
        String alias = null;
        if (endpoint.jumpHost() != null && !endpoint.jumpHost().isBlank()) {
            var jump = parseJump(endpoint.jumpHost());
            var js = session(jsch, jump.user(), jump.host(), jump.port(), null, timeout, strict);
            sessions.add(js);
            int forwarded = js.setPortForwardingL("127.0.0.1", 0, host, port == 0 ? 22 : port);
            alias = port == 0 || port == 22 ? host : "[" + host + "]:" + port;
            host = "127.0.0.1";
            port = forwarded;
        }
        var session = session(jsch, endpoint.user(), host, port, alias, timeout, strict);
        sessions.add(session);
        return session;
    }

    private IOException translate(DirectorEndpoint endpoint, JSchException e) {
        var msg = String.valueOf(e.getMessage());
        if (msg.contains("HostKey has been changed") || msg.contains("CHANGED")) {
            return new HostKeyChangedException(endpoint.host() + (endpoint.port() > 0 && endpoint.port() != 22
                    ? ":" + endpoint.port() : ""), "?", knownHosts.toString());
        }
        if (msg.contains("reject HostKey") || msg.contains("UnknownHostKey")) {
            return new IOException(endpoint.name() + ": the host key was not trusted, so Pharos did not connect", e);
        }
        if (msg.contains("Auth fail") || msg.contains("Auth cancel")) {
            return new IOException(endpoint.name() + ": authentication failed (tried "
                    + (endpoint.identityFile() != null ? "key " + endpoint.identityFile() : "the ssh-agent and ~/.ssh keys")
                    + ", then a password if given)", e);
        }
        if (msg.contains("timeout") || msg.contains("timed out")) {
            return new IOException(endpoint.name() + ": no answer from " + endpoint.host() + " (" + msg + ")", e);
        }
        if (msg.contains("Connection refused")) {
            return new IOException(endpoint.name() + ": connection refused by " + endpoint.host()
                    + (endpoint.port() > 0 ? ":" + endpoint.port() : "") + " (is sshd running there?)", e);
        }
        return new IOException(endpoint.name() + ": " + msg, e);
    }

    private JSch jsch(DirectorEndpoint endpoint) throws JSchException, IOException {
        var jsch = new JSch();
        if (!Files.exists(knownHosts)) {
            Files.createDirectories(knownHosts.toAbsolutePath().getParent());
            Files.createFile(knownHosts);
        }
        jsch.setKnownHosts(knownHosts.toString());
        jsch.setHostKeyRepository(new StrictHostKeys(jsch.getHostKeyRepository(), policy));
        if (sshConfig != null && Files.isReadable(sshConfig)) {
            jsch.setConfigRepository(OpenSSHConfig.parseFile(sshConfig.toString()));
        }
        if (endpoint.identityFile() != null) {
            if (!Files.isReadable(endpoint.identityFile())) {
                throw new IOException(endpoint.name() + ": cannot read the key " + endpoint.identityFile());
            }
            jsch.addIdentity(endpoint.identityFile().toString());
        } else {
            var agentSocket = System.getenv("SSH_AUTH_SOCK");
            if (agentSocket != null && Files.exists(Path.of(agentSocket))) {
                try {
                    jsch.setIdentityRepository(new AgentIdentityRepository(
                            new SSHAgentConnector(new UnixDomainSocketFactory(), Path.of(agentSocket))));
                } catch (AgentProxyException e) {
                    LOG.log(Level.DEBUG, "ssh-agent at {0} not usable: {1}", agentSocket, e.getMessage());
                }
            }
            var home = Path.of(System.getProperty("user.home"), ".ssh");
            for (var name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                var key = home.resolve(name);
                if (Files.isReadable(key)) {
                    jsch.addIdentity(key.toString());
                }
            }
        }
        return jsch;
    }

    private Session session(JSch jsch, String user, String host, int port, String hostKeyAlias, Duration timeout,
            StrictHostKeys strict) throws JSchException, HostKeyChangedException {
        var session = port > 0 ? jsch.getSession(user, host, port) : jsch.getSession(user, host);
        if (hostKeyAlias != null) {
            session.setHostKeyAlias(hostKeyAlias);
        }
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey,keyboard-interactive,password");
        session.setUserInfo(new PromptingUserInfo(prompts, (user == null ? "" : user + "@") + host));
        session.setServerAliveInterval(5000);
        session.setServerAliveCountMax(3);
        try {
            session.connect((int) timeout.toMillis());
        } catch (JSchException e) {
            if (strict.changedHost() != null) {
                throw new HostKeyChangedException(strict.changedHost(), strict.changedFingerprint(),
                        knownHosts.toString());
            }
            throw e;
        }
        return session;
    }

    record Jump(String user, String host, int port) {
    }

    static Jump parseJump(String spec) {
        String user = null;
        var rest = spec.strip();
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        int port = 22;
        int colon = rest.lastIndexOf(':');
        if (colon > 0 && rest.indexOf(':') == colon) {
            port = Integer.parseInt(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        return new Jump(user, rest, port);
    }

    /// JSch's callbacks, answered through [Prompts]; nothing is ever answered "yes" here for a
    /// host key (that is [StrictHostKeys]'s job).
    private record PromptingUserInfo(Prompts prompts, String target) implements UserInfo, UIKeyboardInteractive {
        private static final ThreadLocal<String> SECRET = new ThreadLocal<>();

        @Override
        public String getPassphrase() {
            return SECRET.get();
        }

        @Override
        public String getPassword() {
            return SECRET.get();
        }

        @Override
        public boolean promptPassword(String message) {
            var answer = prompts.password(target);
            SECRET.set(answer.orElse(null));
            return answer.isPresent();
        }

        @Override
        public boolean promptPassphrase(String message) {
            var answer = prompts.passphrase(message);
            SECRET.set(answer.orElse(null));
            return answer.isPresent();
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {
            LOG.log(Level.INFO, "{0}: {1}", target, message);
        }

        @Override
        public String[] promptKeyboardInteractive(String destination, String name, String instruction, String[] prompt,
                boolean[] echo) {
            if (prompt.length == 1 && !echo[0]) {
                return prompts.password(target).map(p -> new String[] {p}).orElse(null);
            }
            return null;
        }
    }

    /// The remote command's stderr, the first few kB (enough to say "command not found").
    static final class LimitedBuffer extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final int limit;

        LimitedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (buffer.size() < limit) {
                buffer.write(b);
            }
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
