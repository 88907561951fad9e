package dev.whittle.worker.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYDataset;

/**
 * Lines and shapes that wrap what each point draws in an element group naming the point: in SVG, a
 * {@code <g jfreesvg:ref='{...}'>} per point, so a test (or a reader) can take the plotted data back out of the
 * drawing. The reference is JSON made by {@link PointRef} from the dataset's series and item.
 */
public class LabelledPoints extends XYLineAndShapeRenderer {

    /** The JSON that names point {@code item} of {@code series}. */
    @FunctionalInterface
    public interface PointRef {
        String of(XYDataset dataset, int series, int item);
    }

    private final PointRef ref;

    public LabelledPoints(boolean lines, boolean shapes, PointRef ref) {
        super(lines, shapes);
        this.ref = ref;
    }

    @Override
    public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea, PlotRenderingInfo info,
                         XYPlot plot, ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset, int series,
                         int item, CrosshairState crosshairState, int pass) {
        String json = ref.of(dataset, series, item);
        beginElementGroup(g2, () -> json);
        super.drawItem(g2, state, dataArea, info, plot, domainAxis, rangeAxis, dataset, series, item,
                crosshairState, pass);
        endElementGroup(g2);
    }

    /** A JSON string literal (quotes and backslashes escaped), for series names in references. */
    public static String quoted(Object text) {
        return "\"" + String.valueOf(text).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
