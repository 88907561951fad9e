package dev.whittle.worker.losscurve;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart(curve, title), width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    public static String svg(LossCurve curve, String title, int width, int height) {
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        chart(curve, title).draw(g2, new Rectangle(0, 0, width, height));
        return g2.getSVGDocument();
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
        chart.setElementHinting(true);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new PointGroups();
        renderer.setSeriesShapesVisible(1, true);
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    /**
     * Lines (and validation shapes) that wrap what each point draws in an element group naming the point: in SVG, a
     * {@code <g jfreesvg:ref='{"series": ..., "step": ..., "loss": ...}'>} per point.
     */
    private static final class PointGroups extends XYLineAndShapeRenderer {

        PointGroups() {
            super(true, false);
        }

        @Override
        public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea, PlotRenderingInfo info,
                             XYPlot plot, ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset, int series,
                             int item, CrosshairState crosshairState, int pass) {
            String ref = "{\"series\": \"" + dataset.getSeriesKey(series) + "\", \"step\": "
                    + (long) dataset.getXValue(series, item) + ", \"loss\": " + dataset.getYValue(series, item) + "}";
            beginElementGroup(g2, () -> ref);
            super.drawItem(g2, state, dataArea, info, plot, domainAxis, rangeAxis, dataset, series, item,
                    crosshairState, pass);
            endElementGroup(g2);
        }
    }
}
