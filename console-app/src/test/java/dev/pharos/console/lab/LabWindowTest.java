package dev.pharos.console.lab;

import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.lab.lesson.LessonViewModel;
import dev.pharos.console.model.ClusterModel;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The console's window on the seed lab, headless, wired as `PharosApp` wires it, for the tests
/// of what the lab shows: a test shows it at the size it checks, from its `@Start`
/// ([#show(Stage, int, int)]) or in FxToolkit's stage ([#open(int, int, double)]); the lab, its
/// lessons and the console's work stop after each test.
public abstract class LabWindowTest {

    protected ClusterModel cluster;
    protected ConsoleWork work;
    protected EditService edits;
    protected ConsoleWindow window;
    protected LabMode mode;
    protected LessonViewModel lessons;
    protected LabPanel panel;
    // as in the application: the lab closes its connections off the FX thread while the view reads the table
    protected final Map<String, DirectorConnection> connections = new ConcurrentSkipListMap<>();

    /// Shows the console on the lab in `stage`, `width`×`height`, on the FX thread; the lessons
    /// pane waits `slack` times a lesson's deadlines.
    protected void show(Stage stage, int width, int height, double slack) {
        System.setProperty("pharos.headless", "true");
        cluster = ClusterModel.onFxThread("training lab");
        work = new ConsoleWork();
        edits = EditService.onFxThread(cluster, connections, work);
        cluster.commandsTo(connections);
        window = new ConsoleWindow(cluster, edits, new ConfigEditorViewModel(connections, work));
        window.workOn(work);
        mode = LabMode.start(cluster, connections, edits, work);
        lessons = new LessonViewModel(mode, work, Platform::runLater, slack);
        panel = LabPanel.attach(window, mode, lessons);
        var scene = new Scene(window, width, height);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    /// As [#show(Stage, int, int, double)] with the lessons' own deadlines.
    protected void show(Stage stage, int width, int height) {
        show(stage, width, height, 1);
    }

    /// As [#show(Stage, int, int, double)] in FxToolkit's primary stage, for a test that picks
    /// the size itself.
    protected void open(int width, int height, double slack) throws Exception {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> show(stage, width, height, slack));
    }

    @AfterEach
    void closeTheLab() throws Exception {
        if (lessons != null) {
            fx(() -> {
                lessons.close();
                return null;
            });
        }
        if (mode != null) {
            mode.close();
            edits.close();
            work.shutdown();
        }
    }

    protected static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(30, TimeUnit.SECONDS);
    }

    protected static void await(int seconds, Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
    }
}
