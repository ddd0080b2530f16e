package dev.invariance.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A figure of several series written as PNG and as SVG by the report's plotting layer. */
class FigureTest {
    /** Six curves of 200 points spanning five decades: the size the brief bounds (SVG under 200 kB). */
    private static Figure sixSeries() {
        Figure.Builder b = Figure.builder("Loss over steps").id("loss").xAxis("training step (parameter updates)")
                .yAxis("mean logistic loss").logY(true).caption("Six decaying curves.");
        List<Double> x = new ArrayList<>();
        for (int t = 0; t < 200; t++) {
            x.add(100.0 * t);
        }
        for (int k = 1; k <= 6; k++) {
            List<Double> y = new ArrayList<>();
            for (int t = 0; t < 200; t++) {
                y.add(Math.exp(-t * k / 40.0));
            }
            b.series("run " + k, x, y);
        }
        return b.build();
    }

    @Test
    void pngIsTheReportsPlotSize(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("loss.png");
        sixSeries().writePng(png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
    }

    @Test
    void svgWritesTextAsTextAndStaysSmall(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("loss.svg");
        sixSeries().writeSvg(file);
        String svg = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(Files.size(file) < 200_000, "SVG of " + Files.size(file) + " bytes");
        assertTrue(svg.startsWith("<?xml") || svg.startsWith("<svg"), svg.substring(0, 40));
        for (String text : List.of("Loss over steps", "training step (parameter updates)",
                "mean logistic loss (log scale)", "run 1", "run 6", "0.001", "1E-8", "19,600")) {
            assertTrue(svg.contains(">" + text + "</text>"), "no <text> element '" + text + "'");
        }
    }

    @Test
    void svgIsWellFormedXml() throws Exception {
        String svg = sixSeries().toSvg();
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        // the DOCTYPE names the SVG 1.0 DTD on the web: not fetched
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
    }

    @Test
    void gapsAreLeftOutAndAFigureWithNothingToDrawIsRefused() {
        Figure gaps = Figure.builder("g").series("a", List.of(1.0, 2.0, 3.0), Arrays.asList(1.0, null, Double.NaN))
                .build();
        assertTrue(gaps.toPng().length > 0);
        Figure empty = Figure.builder("Nothing").series("a", List.of(1.0), Arrays.asList((Double) null)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::toSvg);
        assertEquals("figure 'Nothing': no series has a finite point to draw", e.getMessage());
    }

    @Test
    void seriesOfDifferentLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Figure.builder("t").series("a", List.of(1.0, 2.0), List.of(1.0)));
    }

    @Test
    void theIdDefaultsToTheTitleInLowerCaseWithDashes() {
        assertEquals("rank-1-ratio-w-i", Figure.builder("Rank-1 ratio ρ(W_i)").build().getId());
        assertFalse(sixSeries().getId().isEmpty());
    }
}
