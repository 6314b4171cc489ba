package dev.pharos.console.traffic;

import dev.pharos.agent.api.AgentState;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.topology.TopologyView;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/// Connections per second and bytes per second (in and out) of the selection over the last
/// [#POINTS] samples: a real server's own counters, or the sum over a virtual server's real
/// servers, summed over the directors that report them.
public final class TrafficView extends VBox {

    static final int POINTS = 120;

    private final Label title = new Label("Select a virtual or real server to see its traffic.");
    private final XYChart.Series<Number, Number> conns = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> bytesIn = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> bytesOut = new XYChart.Series<>();
    private final List<Runnable> detach = new ArrayList<>();
    private List<RealServerModel> sources = List.of();
    private long sample;

    public TrafficView(ObservableValue<TopologyView.Selection> selection) {
        getStyleClass().add("traffic");
        conns.setName("connections/s");
        bytesIn.setName("bytes in/s");
        bytesOut.setName("bytes out/s");
        var connChart = chart("connections/s");
        connChart.getData().add(conns);
        var byteChart = chart("bytes/s");
        byteChart.getData().add(bytesIn);
        byteChart.getData().add(bytesOut);
        getChildren().addAll(title, connChart, byteChart);
        selection.addListener((o, was, now) -> follow(now));
    }

    private static LineChart<Number, Number> chart(String y) {
        var x = new NumberAxis();
        x.setForceZeroInRange(false);
        x.setTickLabelsVisible(false);
        var yAxis = new NumberAxis();
        yAxis.setLabel(y);
        var c = new LineChart<>(x, yAxis);
        c.setAnimated(false);
        c.setCreateSymbols(false);
        c.setPrefHeight(160);
        return c;
    }

    private void follow(TopologyView.Selection s) {
        detach.forEach(Runnable::run);
        detach.clear();
        conns.getData().clear();
        bytesIn.getData().clear();
        bytesOut.getData().clear();
        var list = new ArrayList<RealServerModel>();
        switch (s) {
            case null -> title.setText("Select a virtual or real server to see its traffic.");
            case TopologyView.Selection.RealServer r -> {
                list.addAll(r.perDirector());
                title.setText("Traffic of " + r.id() + " in " + r.virtualServer());
            }
            case TopologyView.Selection.VirtualServer v -> {
                v.perDirector().forEach(m -> list.addAll(m.realServers()));
                title.setText("Traffic of " + v.id() + " (all real servers)");
            }
            case TopologyView.Selection.Director d -> title.setText("Select a virtual or real server to see its traffic.");
        }
        sources = List.copyOf(list);
        ChangeListener<AgentState.Traffic> l = (o, a, b) -> addSample();
        for (var r : sources) {
            r.trafficProperty().addListener(l);
            detach.add(() -> r.trafficProperty().removeListener(l));
        }
        if (!sources.isEmpty()) {
            addSample();
        }
    }

    /// One point per update of any source (several directors update at different times; the sum is what counts).
    private void addSample() {
        double c = 0;
        double in = 0;
        double out = 0;
        for (var r : sources) {
            var t = r.trafficProperty().get();
            c += t.connectionsPerSecond();
            in += t.bytesInPerSecond();
            out += t.bytesOutPerSecond();
        }
        long x = sample++;
        add(conns, x, c);
        add(bytesIn, x, in);
        add(bytesOut, x, out);
    }

    private static void add(XYChart.Series<Number, Number> series, long x, double y) {
        series.getData().add(new XYChart.Data<>(x, y));
        if (series.getData().size() > POINTS) {
            series.getData().remove(0, series.getData().size() - POINTS);
        }
    }

    /// The samples shown, for tests: connections/s.
    public List<Double> connectionSamples() {
        return conns.getData().stream().map(d -> d.getYValue().doubleValue()).toList();
    }
}
