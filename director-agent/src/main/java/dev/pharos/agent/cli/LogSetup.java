package dev.pharos.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/// One line per log record on stderr: `2026-11-25T02:25:47.123 INFO VrrpInstance: (VI_1) Entering MASTER STATE`.
/// `System.Logger` is backed by `java.util.logging`, so configuring the root logger is enough.
final class LogSetup {

    /// The JDK's LogManager closes every handler from its own shutdown hook, so the agent's last
    /// lines ("Stopping", priority 0 sent) would be lost; this manager keeps them open until the
    /// JVM is gone.
    public static final class LastWordsLogManager extends LogManager {
        @Override
        public void reset() {
            if (!shuttingDown()) {
                super.reset();
            }
        }

        private static boolean shuttingDown() {
            try {
                var hook = Thread.ofPlatform().unstarted(() -> { });
                Runtime.getRuntime().addShutdownHook(hook);
                Runtime.getRuntime().removeShutdownHook(hook);
                return false;
            } catch (IllegalStateException e) {
                return true;
            }
        }
    }

    private static volatile boolean installed;

    private LogSetup() {
    }

    static synchronized void install(boolean debug) {
        var root = Logger.getLogger("");
        if (!installed) {
            for (Handler h : root.getHandlers()) {
                root.removeHandler(h);
            }
            // ConsoleHandler writes to System.err; replacing its stream would close System.err.
            var handler = new ConsoleHandler();
            handler.setFormatter(new OneLine());
            handler.setLevel(Level.ALL);
            root.addHandler(handler);
            installed = true;
        }
        root.setLevel(debug ? Level.FINE : Level.INFO);
    }

    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            var name = r.getLoggerName() == null ? "" : r.getLoggerName();
            var shortName = name.substring(name.lastIndexOf('.') + 1);
            var sb = new StringBuilder(128)
                    .append(TIME.format(r.getInstant())).append(' ')
                    .append(level(r.getLevel())).append(' ')
                    .append(shortName).append(": ")
                    .append(formatMessage(r));
            if (r.getThrown() != null && Logger.getLogger("").isLoggable(Level.FINE)) {
                var sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append('\n').append(sw);
            } else if (r.getThrown() != null) {
                sb.append(" (").append(r.getThrown()).append(')');
            }
            return sb.append('\n').toString();
        }

        private static String level(Level l) {
            if (l.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (l.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (l.intValue() >= Level.INFO.intValue()) {
                return "INFO";
            }
            return "DEBUG";
        }
    }
}
