package dev.whittle.api.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Linear;
import dev.whittle.worker.charts.ChartImages;
import dev.whittle.worker.charts.LabelledPoints;
import dev.whittle.worker.evaluate.ModelStats;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The zero share of each decoder block's linear weights, per kind of matrix (q_proj, down_proj, ...; experts of a kind
 * counted together) and for the block as a whole, and its chart: a line per kind over the layers.
 *
 * @param kinds per kind, the sparsity of each layer (NaN where a layer has no matrix of that kind)
 */
record LayerSparsity(int layers, Map<String, double[]> kinds) {

    static final String BLOCK = "whole block";

    static LayerSparsity of(Decoder decoder) {
        List<DecoderBlock> blocks = decoder.blocks();
        Map<String, long[][]> counts = new LinkedHashMap<>(); // kind -> layer -> {weights, non-zero}
        counts.put(BLOCK, new long[blocks.size()][2]);
        for (int layer = 0; layer < blocks.size(); layer++) {
            for (Linear linear : blocks.get(layer).linears()) {
                String kind = linear.name().substring(linear.name().lastIndexOf('.') + 1);
                long nonZero = ModelStats.nonZeros(linear.weight());
                for (String k : List.of(kind, BLOCK)) {
                    long[] c = counts.computeIfAbsent(k, x -> new long[blocks.size()][2])[layer];
                    c[0] += linear.weight().length;
                    c[1] += nonZero;
                }
            }
        }
        Map<String, double[]> kinds = new LinkedHashMap<>();
        counts.forEach((kind, perLayer) -> {
            double[] sparsity = new double[perLayer.length];
            for (int layer = 0; layer < perLayer.length; layer++) {
                sparsity[layer] = perLayer[layer][0] == 0 ? Double.NaN : 1 - (double) perLayer[layer][1] / perLayer[layer][0];
            }
            kinds.put(kind, sparsity);
        });
        return new LayerSparsity(blocks.size(), kinds);
    }

    JFreeChart chart(String title) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> order = new ArrayList<>(kinds.keySet());
        order.remove(BLOCK);
        order.add(BLOCK);
        for (String kind : order) {
            XYSeries series = new XYSeries(kind, false, true);
            double[] sparsity = kinds.get(kind);
            for (int layer = 0; layer < sparsity.length; layer++) {
                if (!Double.isNaN(sparsity[layer])) {
                    series.add(layer, sparsity[layer]);
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "layer", "sparsity (zero share of the weights)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        ChartImages.plain(chart, plot);
        plot.setRenderer(new LabelledPoints(true, true, (d, s, i) -> "{\"series\": " + LabelledPoints.quoted(d.getSeriesKey(s))
                + ", \"layer\": " + (int) d.getXValue(s, i) + ", \"sparsity\": " + d.getYValue(s, i) + "}"));
        NumberAxis layer = (NumberAxis) plot.getDomainAxis();
        layer.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
        return chart;
    }
}
