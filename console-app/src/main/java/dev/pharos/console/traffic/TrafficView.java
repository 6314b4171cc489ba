package dev.pharos.console.traffic;

import dev.pharos.console.traffic.TrafficViewModel.Sample;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javafx.collections.ListChangeListener;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/// Connections per second and bytes per second (in and out) of the selection: the
/// [TrafficViewModel]'s samples, charted.
public final class TrafficView extends VBox {

    private final XYChart.Series<Number, Number> conns = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> bytesIn = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> bytesOut = new XYChart.Series<>();

    public TrafficView(TrafficViewModel model) {
        getStyleClass().add("traffic");
        var title = new Label();
        title.textProperty().bind(model.titleProperty());
        conns.setName("connections/s");
        bytesIn.setName("bytes in/s");
        bytesOut.setName("bytes out/s");
        var connChart = chart("connections/s");
        connChart.getData().add(conns);
        var byteChart = chart("bytes/s");
        byteChart.getData().add(bytesIn);
        byteChart.getData().add(bytesOut);
        getChildren().addAll(title, connChart, byteChart);
        model.samples().addListener((ListChangeListener<Sample>) c -> {
            while (c.next()) {
                if (c.wasRemoved()) {
                    for (var series : List.of(conns, bytesIn, bytesOut)) {
                        series.getData().remove(c.getFrom(), c.getFrom() + c.getRemovedSize());
                    }
                }
                if (c.wasAdded()) {
                    add(conns, c.getFrom(), c.getAddedSubList(), Sample::connectionsPerSecond);
                    add(bytesIn, c.getFrom(), c.getAddedSubList(), Sample::bytesInPerSecond);
                    add(bytesOut, c.getFrom(), c.getAddedSubList(), Sample::bytesOutPerSecond);
                }
            }
        });
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

    private static void add(XYChart.Series<Number, Number> series, int at, List<? extends Sample> added,
            ToDoubleFunction<Sample> y) {
        series.getData().addAll(at, added.stream().map(s -> new XYChart.Data<Number, Number>(s.index(),
                y.applyAsDouble(s))).toList());
    }

    /// The samples shown, for tests: connections/s.
    public List<Double> connectionSamples() {
        return conns.getData().stream().map(d -> d.getYValue().doubleValue()).toList();
    }
}
