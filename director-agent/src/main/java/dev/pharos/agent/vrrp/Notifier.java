package dev.pharos.agent.vrrp;

import dev.pharos.agent.script.RunAs;
import dev.pharos.agent.vrrp.VrrpSettings.NotifyCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/// keepalived's notify scripts: `notify_master|backup|fault|stop` without arguments, then
/// `notify` with `INSTANCE|GROUP name state priority`. Started through the [ScriptRunner], so
/// the engine thread never waits on them; a failure is logged, never retried.
final class Notifier {

    private static final System.Logger LOG = System.getLogger(Notifier.class.getName());

    private final ScriptRunner runner;
    private final Duration timeout;

    Notifier(ScriptRunner runner, Duration timeout) {
        this.runner = runner;
        this.timeout = timeout;
    }

    void instance(VrrpSettings settings, VrrpState to, int priority) {
        notify(settings.notifyCommands(), "INSTANCE", settings.name(), to, priority);
    }

    void group(VrrpSyncGroup group, VrrpState to) {
        notify(group.notifyCommands(), "GROUP", group.name(), to, 0);
    }

    private void notify(NotifyCommands commands, String kind, String name, VrrpState to, int priority) {
        var specific = switch (to) {
            case MASTER -> commands.master();
            case BACKUP -> commands.backup();
            case FAULT -> commands.fault();
            case INITIALIZE -> commands.stop();
        };
        start(specific, name);
        if (!commands.generic().isEmpty()) {
            var argv = new ArrayList<>(commands.generic());
            argv.addAll(List.of(kind, name, to.keepalivedName(), Integer.toString(priority)));
            start(argv, name);
        }
    }

    private void start(List<String> argv, String name) {
        if (argv.isEmpty()) {
            return;
        }
        runner.run(argv, timeout).thenAccept(r -> {
            if (!r.success()) {
                LOG.log(Level.WARNING, "({0}) notify script {1} failed: {2}", name, RunAs.program(argv),
                        r.problem().isEmpty() ? "exit status " + r.exitCode() : r.problem());
            }
        });
    }
}
