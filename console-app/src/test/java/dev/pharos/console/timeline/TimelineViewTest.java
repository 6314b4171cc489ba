package dev.pharos.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.model.TimelineEntry;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.skin.VirtualFlow;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The timeline on a real scene: entries arriving within one pulse reach the table as one batch,
/// the table keeps only the newest entries and says how many it dropped, the filter still
/// applies, and the newest row stays in view while following (and not when following is off).
@ExtendWith(ApplicationExtension.class)
class TimelineViewTest {

    static final int CAPACITY = 200;

    final ObservableList<TimelineEntry> entries = FXCollections.observableArrayList();
    TimelineView view;

    @Start
    void start(Stage stage) {
        entries.add(entry(0));
        view = new TimelineView(new TimelineViewModel(entries, CAPACITY));
        stage.setScene(new Scene(view, 900, 400));
        stage.show();
    }

    static TimelineEntry entry(int n) {
        return new TimelineEntry(Instant.ofEpochSecond(1_700_000_000L + n), n % 2 == 0 ? "lvs-master" : "lvs-backup",
                n % 3 == 0 ? "vrrp" : "health", "198.51.100." + (n % 250) + ":80", "entry " + n);
    }

    <T> T fx(Callable<T> c) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(c).get();
    }

    /// Adds entries `from` (inclusive) to `to` (exclusive) one by one, all within one FX runnable
    /// (so within one pulse), as a director's burst of events does.
    void burst(int from, int to) throws Exception {
        fx(() -> {
            for (int n = from; n < to; n++) {
                entries.add(entry(n));
            }
            return null;
        });
    }

    void await(Callable<Boolean> condition, String what) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(condition));
        assertThat(fx(condition)).as(what).isTrue();
    }

    String lastItemText() throws Exception {
        return fx(() -> view.table().getItems().getLast().text());
    }

    int lastVisibleIndex() throws Exception {
        return fx(() -> {
            view.table().layout();
            var flow = (VirtualFlow<?>) view.table().lookup(".virtual-flow");
            return flow.getLastVisibleCell().getIndex();
        });
    }

    @Test
    void entriesOfOnePulseArriveAsOneBatchAndTheNewestStaysInView() throws Exception {
        await(() -> view.table().getItems().size() == 1, "the entry present at start shown");
        int before = fx(() -> view.batchCount());

        burst(1, 150);

        await(() -> view.table().getItems().size() == 150, "the burst shown");
        assertThat(fx(() -> view.batchCount())).as("149 additions within one pulse, one batch").isEqualTo(before + 1);
        assertThat(lastItemText()).isEqualTo("entry 149");
        assertThat(lastVisibleIndex()).as("following: the newest row is in view").isEqualTo(149);
        assertThat(fx(() -> view.droppedCount())).isZero();
        assertThat(fx(() -> view.lookup("#timeline-dropped").isVisible())).as("nothing dropped, nothing said").isFalse();
    }

    @Test
    void theTableKeepsTheNewestEntriesAndSaysHowManyItDropped() throws Exception {
        burst(1, 150);
        burst(150, 330);
        // The model trims its own list: that takes nothing from the table.
        fx(() -> {
            entries.remove(0, 300);
            return null;
        });
        burst(330, 350);

        await(() -> view.table().getItems().getLast().text().equals("entry 349"), "the last burst shown");
        assertThat(fx(() -> view.table().getItems().size())).isEqualTo(CAPACITY);
        assertThat(fx(() -> view.table().getItems().getFirst().text())).isEqualTo("entry 150");
        assertThat(fx(() -> view.droppedCount())).isEqualTo(150);
        assertThat(fx(() -> view.lookup("#timeline-dropped").isVisible())).isTrue();
        assertThat(fx(() -> ((Label) view.lookup("#timeline-dropped")).getText()))
                .startsWith("150 older entries dropped");
        assertThat(lastVisibleIndex()).isEqualTo(CAPACITY - 1);
    }

    @Test
    void theFilterAppliesToEntriesThatArriveLater() throws Exception {
        fx(() -> {
            ((TextField) view.lookup("#timeline-filter")).setText("ENTRY 7");
            return null;
        });
        burst(1, 100);

        await(() -> view.table().getItems().stream().anyMatch(e -> e.text().equals("entry 79")), "the burst filtered");
        assertThat(fx(() -> view.table().getItems().stream().map(TimelineEntry::text).toList()))
                .containsExactly("entry 7", "entry 70", "entry 71", "entry 72", "entry 73", "entry 74", "entry 75",
                        "entry 76", "entry 77", "entry 78", "entry 79");
        assertThat(lastVisibleIndex()).isEqualTo(10);
    }

    @Test
    void withFollowingOffTheViewStaysWhereItIs() throws Exception {
        fx(() -> {
            view.followProperty().set(false);
            return null;
        });
        burst(1, 150);

        await(() -> view.table().getItems().size() == 150, "the burst shown");
        assertThat(lastVisibleIndex()).as("not following: the first rows stay in view").isLessThan(50);

        fx(() -> {
            view.followProperty().set(true);
            return null;
        });
        assertThat(lastVisibleIndex()).as("following again: scrolled to the newest").isEqualTo(149);
    }

    /// The columns fit the table at any width: no horizontal scroll bar (it would cover the newest
    /// row), and in a narrow table "What happened" keeps more than the other columns' share.
    @Test
    void theColumnsFitANarrowTable() throws Exception {
        var window = view.getScene().getWindow();
        double before = window.getWidth();
        try {
            for (double width : new double[] {1200, 900, 560, 480}) {
                fx(() -> {
                    window.setWidth(width);
                    return null;
                });
                WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> Math.abs(table().getWidth() - width) < 40));
                WaitForAsyncUtils.waitForFxEvents();
                var widths = fx(() -> table().getColumns().stream().mapToDouble(c -> c.getWidth()).toArray());
                double tableWidth = fx(() -> table().getWidth());
                assertThat(Arrays.stream(widths).sum()).as("the columns %s in a table %s px wide",
                        Arrays.toString(widths), tableWidth).isLessThanOrEqualTo(tableWidth - 14);
                assertThat(widths[widths.length - 1]).as("'What happened' at %s px", tableWidth)
                        .isGreaterThanOrEqualTo(Math.min(320, tableWidth - 340));
                assertThat(fx(() -> view.lookupAll(".scroll-bar").stream()
                        .filter(b -> b instanceof ScrollBar s && s.getOrientation() == Orientation.HORIZONTAL)
                        .anyMatch(Node::isVisible))).as("a horizontal scroll bar at %s px", tableWidth).isFalse();
            }
        } finally {
            fx(() -> {
                window.setWidth(before);
                return null;
            });
        }
    }

    TableView<?> table() {
        return (TableView<?>) view.lookup(".table-view");
    }
}
