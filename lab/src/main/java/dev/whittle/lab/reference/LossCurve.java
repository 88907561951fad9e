package dev.whittle.lab.reference;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the training loss against tokens seen as a PNG (headless AWT): each update's loss in grey, its moving
 * average in blue, axes with round-numbered ticks and labels.
 */
public final class LossCurve {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;

    private LossCurve() {
    }

    /** Writes the curve of {@code rows} to {@code file} (a PNG); {@code title} goes above the plot. */
    public static void write(List<LossLog.Row> rows, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = draw(rows, title);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", temp.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static BufferedImage draw(List<LossLog.Row> rows, String title) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);

        double maxTokens = rows.isEmpty() ? 1 : Math.max(1, rows.getLast().tokens()) / 1e6;
        double maxLoss = 1;
        for (LossLog.Row row : rows) {
            if (Double.isFinite(row.loss())) {
                maxLoss = Math.max(maxLoss, row.loss());
            }
        }
        double[] xTicks = ticks(maxTokens);
        double[] yTicks = ticks(maxLoss);
        double xMax = xTicks[xTicks.length - 1];
        double yMax = yTicks[yTicks.length - 1];
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (double y : yTicks) {
            int py = TOP + plotH - (int) Math.round(y / yMax * plotH);
            g.setColor(new Color(232, 232, 232));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.BLACK);
            g.drawLine(LEFT - 5, py, LEFT, py);
            String label = label(y);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        for (double x : xTicks) {
            int px = LEFT + (int) Math.round(x / xMax * plotW);
            g.setColor(new Color(232, 232, 232));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.BLACK);
            g.drawLine(px, TOP + plotH, px, TOP + plotH + 5);
            String label = label(x);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 8 + fm.getAscent());
        }
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);

        String xLabel = "tokens seen (millions)";
        g.drawString(xLabel, LEFT + (plotW - fm.stringWidth(xLabel)) / 2, HEIGHT - 18);
        String yLabel = "training loss (nats per scored token)";
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + (plotH + fm.stringWidth(yLabel)) / 2), 22);
        g.setTransform(saved);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, TOP - 20);

        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(190, 190, 190));
        g.draw(line(rows, null, xMax, yMax, plotW, plotH));
        g.setStroke(new BasicStroke(2f));
        g.setColor(new Color(31, 94, 180));
        g.draw(line(rows, movingAverage(rows, 25), xMax, yMax, plotW, plotH));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("moving average of 25 updates", LEFT + plotW - 210, TOP + 16);
        g.setColor(new Color(150, 150, 150));
        g.drawString("loss of each update", LEFT + plotW - 210, TOP + 32);
        g.dispose();
        return image;
    }

    private static Path2D line(List<LossLog.Row> rows, double[] values, double xMax, double yMax, int plotW, int plotH) {
        Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < rows.size(); i++) {
            double v = values == null ? rows.get(i).loss() : values[i];
            if (!Double.isFinite(v)) {
                continue;
            }
            double px = LEFT + rows.get(i).tokens() / 1e6 / xMax * plotW;
            double py = TOP + plotH - Math.min(v, yMax) / yMax * plotH;
            if (started) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                started = true;
            }
        }
        return path;
    }

    static double[] movingAverage(List<LossLog.Row> rows, int window) {
        double[] out = new double[rows.size()];
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            sum += rows.get(i).loss();
            if (i >= window) {
                sum -= rows.get(i - window).loss();
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    /** Ticks 0, step, 2 step, ... up to the first one at or beyond {@code max}, step a 1, 2 or 5 times a power of ten. */
    static double[] ticks(double max) {
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude <= 1 ? 1 : raw / magnitude <= 2 ? 2 : raw / magnitude <= 5 ? 5 : 10);
        List<Double> ticks = new ArrayList<>();
        for (int i = 0; ; i++) {
            double t = i * step;
            ticks.add(t);
            if (t >= max - 1e-12 * step) {
                break;
            }
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String label(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "");
    }
}
