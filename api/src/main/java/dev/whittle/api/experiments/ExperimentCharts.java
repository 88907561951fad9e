package dev.whittle.api.experiments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.whittle.worker.charts.ChartImages;
import dev.whittle.worker.charts.LabelledPoints;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * An experiment's charts, drawn with JFreeChart from its {@link ResultsView}:
 * <ul>
 *     <li>retention against sparsity, one line per setting of the axes other than sparsity (the method, say), one
 *     panel per task: the figure of LLM-KICK; x is the measured sparsity of the decoder blocks;</li>
 *     <li>the Pareto scatter: each trial's average retention against its cost, the front drawn as a line.</li>
 * </ul>
 * In SVG every point is a group whose {@code jfreesvg:ref} holds its numbers, so the drawing can be read back.
 */
final class ExperimentCharts {

    static final String DENSE = "dense";
    static final String TRIALS = "trials";
    static final String FRONT = "Pareto front";

    private ExperimentCharts() {
    }

    static JFreeChart retention(ResultsView results, String title) {
        NumberAxis sparsity = new NumberAxis("sparsity of the decoder blocks");
        sparsity.setAutoRangeIncludesZero(true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(sparsity);
        plot.setGap(12);
        List<String> lines = lineKeys(results);
        LegendItemCollection legend = null;
        for (String task : results.tasks()) {
            XYSeriesCollection data = new XYSeriesCollection();
            Map<String, List<double[]>> points = new LinkedHashMap<>();
            lines.forEach(l -> points.put(l, new ArrayList<>()));
            for (ResultsView.Row row : results.rows()) {
                ResultsView.TrialResult trial = trial(results, row.trial());
                if (row.task().equals(task) && row.retention() != null && trial.blockSparsity() != null) {
                    points.get(lineKey(trial)).add(new double[]{trial.blockSparsity(), row.retention().value()});
                }
            }
            points.forEach((line, xy) -> data.addSeries(series(line, xy)));
            NumberAxis retention = new NumberAxis("retention " + task);
            retention.setAutoRangeIncludesZero(false);
            LabelledPoints renderer = new LabelledPoints(true, true, (d, s, i) -> "{\"task\": " + LabelledPoints.quoted(task)
                    + ", \"series\": " + LabelledPoints.quoted(d.getSeriesKey(s)) + ", \"sparsity\": " + d.getXValue(s, i)
                    + ", \"retention\": " + d.getYValue(s, i) + "}");
            colour(renderer, lines);
            XYPlot panel = new XYPlot(data, null, retention, renderer);
            plot.add(panel, 1);
            if (legend == null) {
                legend = panel.getLegendItems();
            }
        }
        if (legend != null) {
            plot.setFixedLegendItems(legend);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        plot.getSubplots().forEach(p -> ChartImages.plain(chart, p));
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        return chart;
    }

    static JFreeChart pareto(ResultsView results, ExperimentResults.Cost cost, String title) {
        List<ResultsView.TrialResult> all = results.trials().stream()
                .filter(t -> t.averageRetention() != null && !Double.isNaN(cost.of.applyAsDouble(t)))
                .sorted(Comparator.comparingDouble(cost.of)).toList();
        List<ResultsView.TrialResult> front = all.stream().filter(ResultsView.TrialResult::onParetoFront).toList();
        List<List<ResultsView.TrialResult>> bySeries = List.of(all, front);
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series(TRIALS, all.stream().map(t -> new double[]{cost.of.applyAsDouble(t), t.averageRetention()}).toList()));
        data.addSeries(series(FRONT, front.stream().map(t -> new double[]{cost.of.applyAsDouble(t), t.averageRetention()}).toList()));
        LabelledPoints renderer = new LabelledPoints(true, true, (d, s, i) -> "{\"series\": "
                + LabelledPoints.quoted(d.getSeriesKey(s)) + ", \"trial\": " + bySeries.get(s).get(i).trial()
                + ", \"label\": " + LabelledPoints.quoted(bySeries.get(s).get(i).label())
                + ", \"cost\": " + d.getXValue(s, i) + ", \"retention\": " + d.getYValue(s, i) + "}");
        renderer.setSeriesLinesVisible(0, false);
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setSeriesPaint(1, PALETTE[1]);
        renderer.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
        renderer.setSeriesShapesFilled(1, false);
        renderer.setSeriesStroke(1, new java.awt.BasicStroke(2f));
        NumberAxis x = new NumberAxis(cost.axisLabel());
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis("average retention");
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartImages.plain(chart, plot);
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        return chart;
    }

    /** Colour-blind-safe colours (Okabe and Ito), the dense point grey: the same line has the same look in every panel. */
    private static final java.awt.Color[] PALETTE = {new java.awt.Color(0x0072B2), new java.awt.Color(0xD55E00),
            new java.awt.Color(0x009E73), new java.awt.Color(0xCC79A7), new java.awt.Color(0xE69F00),
            new java.awt.Color(0x56B4E9), new java.awt.Color(0x000000), new java.awt.Color(0xF0E442)};

    private static void colour(LabelledPoints renderer, List<String> lines) {
        java.awt.Shape[] shapes = org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();
        int next = 0;
        for (int s = 0; s < lines.size(); s++) {
            boolean dense = lines.get(s).equals(DENSE);
            renderer.setSeriesPaint(s, dense ? java.awt.Color.GRAY : PALETTE[next % PALETTE.length]);
            renderer.setSeriesShape(s, shapes[s % shapes.length]);
            renderer.setSeriesStroke(s, new java.awt.BasicStroke(2f));
            if (!dense) {
                next++;
            }
        }
    }

    /** The line a trial is drawn on: its settings other than sparsity, or {@value #DENSE} for the baseline. */
    static String lineKey(ResultsView.TrialResult trial) {
        if (trial.baseline()) {
            return DENSE;
        }
        var others = trial.settings().deepCopy();
        if (others.isObject()) {
            List<String> sparsityAxes = others.propertyNames().stream()
                    .filter(n -> n.equals("sparsity") || n.endsWith(".sparsity")).toList();
            sparsityAxes.forEach(((tools.jackson.databind.node.ObjectNode) others)::remove);
        }
        String key = ExperimentGrid.label(others);
        return key.isEmpty() ? TRIALS : key;
    }

    private static List<String> lineKeys(ResultsView results) {
        List<String> keys = new ArrayList<>();
        results.trials().forEach(t -> {
            String key = lineKey(t);
            if (!keys.contains(key)) {
                keys.add(key);
            }
        });
        return keys;
    }

    private static ResultsView.TrialResult trial(ResultsView results, int index) {
        return results.trials().stream().filter(t -> t.trial() == index).findFirst().orElseThrow();
    }

    /** A series of points in the order given (sorted by x where it is a line), duplicates kept. */
    private static XYSeries series(String key, List<double[]> points) {
        XYSeries series = new XYSeries(key, false, true);
        points.stream().sorted(Comparator.comparingDouble(p -> p[0])).forEach(p -> series.add(p[0], p[1]));
        return series;
    }
}
