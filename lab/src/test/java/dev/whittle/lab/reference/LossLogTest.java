package dev.whittle.lab.reference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LossLogTest {

    @TempDir
    Path dir;

    @Test
    void reopeningAtTheCheckpointedUpdateDropsTheRowsMadeAfterIt() throws IOException {
        Path file = dir.resolve("loss.csv");
        LossLog log = LossLog.open(file, 0);
        for (int u = 1; u <= 5; u++) {
            log.append(new LossLog.Row(u, u * 128L, 8.0 / u, 1.5, 1e-3, 900, 2.0 * u));
        }
        LossLog resumed = LossLog.open(file, 3);
        assertThat(resumed.rows()).extracting(LossLog.Row::update).containsExactly(1L, 2L, 3L);
        assertThat(resumed.seconds()).isEqualTo(6.0);
        assertThat(LossLog.read(file)).isEqualTo(resumed.rows());
        assertThat(Files.readAllLines(file).getFirst()).isEqualTo(LossLog.HEADER);
    }

    @Test
    void ticksAreRoundNumbersCoveringTheRange() {
        assertThat(LossCurve.ticks(8.3)).containsExactly(0, 2, 4, 6, 8, 10);
        assertThat(LossCurve.ticks(10.5)).containsExactly(0, 5, 10, 15);
        assertThat(LossCurve.ticks(0.37)).containsExactly(0, 0.1, 0.2, 0.30000000000000004, 0.4);
        assertThat(LossCurve.ticks(1)).containsExactly(0, 0.2, 0.4, 0.6000000000000001, 0.8, 1);
    }

    @Test
    void movingAverageIsTheMeanOfTheLastWindowRows() {
        List<LossLog.Row> rows = new ArrayList<>();
        double[] losses = {4, 2, 6, 8};
        for (int i = 0; i < losses.length; i++) {
            rows.add(new LossLog.Row(i + 1, i + 1, losses[i], 0, 0, 0, 0));
        }
        assertThat(LossCurve.movingAverage(rows, 2)).containsExactly(4, 3, 4, 7);
    }

    @Test
    void theCurveIsAPngWithPlotAndBackground() throws IOException {
        List<LossLog.Row> rows = new ArrayList<>();
        for (int u = 1; u <= 300; u++) {
            rows.add(new LossLog.Row(u, u * 4096L, 2 + 6.0 / Math.sqrt(u), 1, 1e-3, 2000, u));
        }
        Path png = dir.resolve("curve.png");
        LossCurve.write(rows, "test curve", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(540);
        assertThat(image.getRGB(5, 5) & 0xffffff).isEqualTo(0xffffff);
        boolean blue = false;
        for (int x = 0; x < image.getWidth() && !blue; x++) {
            for (int y = 0; y < image.getHeight() && !blue; y++) {
                blue = (image.getRGB(x, y) & 0xffffff) == 0x1f5eb4;
            }
        }
        assertThat(blue).as("the moving average is drawn").isTrue();
    }
}
