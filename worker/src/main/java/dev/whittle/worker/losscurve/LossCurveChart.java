package dev.whittle.worker.losscurve;

import dev.whittle.worker.charts.ChartImages;
import dev.whittle.worker.charts.LabelledPoints;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link LossCurve} with JFreeChart: training loss as a line over the steps, validation loss as marked points
 * joined by a line (it is measured only every so many steps). As PNG, or as SVG (JFreeSVG), in which each point is a
 * group whose {@code jfreesvg:ref} names its series and index, so the drawing can be read back.
 */
public final class LossCurveChart {

    public static final String TRAINING = "training loss";
    public static final String VALIDATION = "validation loss";

    private LossCurveChart() {
    }

    public static byte[] png(LossCurve curve, String title, int width, int height) {
        return ChartImages.png(chart(curve, title), width, height);
    }

    public static String svg(LossCurve curve, String title, int width, int height) {
        return ChartImages.svg(chart(curve, title), width, height);
    }

    private static JFreeChart chart(LossCurve curve, String title) {
        XYSeries training = new XYSeries(TRAINING, false, true);
        XYSeries validation = new XYSeries(VALIDATION, false, true);
        for (LossCurve.Point p : curve.points()) {
            training.add(p.step(), p.loss());
            if (p.validationLoss() != null) {
                validation.add(p.step(), p.validationLoss());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(training);
        if (!validation.isEmpty()) {
            data.addSeries(validation);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", "loss", data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        ChartImages.plain(chart, plot);
        XYLineAndShapeRenderer renderer = new LabelledPoints(true, false, (dataset, series, item) -> "{\"series\": \""
                + dataset.getSeriesKey(series) + "\", \"step\": " + (long) dataset.getXValue(series, item)
                + ", \"loss\": " + dataset.getYValue(series, item) + "}");
        renderer.setSeriesShapesVisible(1, true);
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }
}
