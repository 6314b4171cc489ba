package dev.pharos.console.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/// Two directors on one host that connect together ask the operator about its key once.
class HostKeyPolicyTest {

    @Test
    void twoConnectionsToOneHostShareOneQuestion() throws Exception {
        var asked = new AtomicInteger();
        var answering = new CountDownLatch(1);
        HostKeyPolicy operator = (host, type, fingerprint) -> {
            asked.incrementAndGet();
            try {
                answering.await(10, TimeUnit.SECONDS); // the dialog stays open a while
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        };
        var policy = operator.askingOnce();
        var answers = new ArrayList<Boolean>();
        var threads = new ArrayList<Thread>();
        for (int i = 0; i < 2; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                var yes = policy.trustUnknown("[192.0.2.10]:22", "ssh-ed25519", "SHA256:abc");
                synchronized (answers) {
                    answers.add(yes);
                }
            }));
        }
        // both wait: one in the dialog, the other for its answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING)) {
            Thread.onSpinWait();
        }
        answering.countDown();
        for (var t : threads) {
            t.join(10_000);
        }
        assertThat(asked).hasValue(1);
        assertThat(answers).containsExactly(true, true);
        assertThat(policy.trustUnknown("[192.0.2.11]:22", "ssh-ed25519", "SHA256:def")).isTrue();
        assertThat(asked).as("another host is another question").hasValue(2);
        assertThat(List.of(policy.trustUnknown("[192.0.2.10]:22", "ssh-ed25519", "SHA256:abc"))).containsExactly(true);
        assertThat(asked).as("the same key later: answered already").hasValue(2);
    }
}
