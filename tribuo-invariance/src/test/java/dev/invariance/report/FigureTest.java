package dev.invariance.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

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
    /** Six curves of 200 points spanning thirteen decades: the size the brief bounds (SVG under 100 kB). */
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
        assertTrue(Files.size(file) < 100_000, "SVG of " + Files.size(file) + " bytes");
        assertTrue(svg.startsWith("<?xml") || svg.startsWith("<svg"), svg.substring(0, 40));
        for (String text : List.of("Loss over steps", "training step (parameter updates)",
                "mean logistic loss (log scale)", "run 1", "run 6", "0.001", "1E-8", "19,600")) {
            assertTrue(svg.contains(">" + text + "</text>"), "no <text> element '" + text + "'");
        }
    }

    /** The SVG parsed as XML, without fetching the SVG 1.0 DTD its DOCTYPE names on the web. */
    private static Document parse(String svg) throws Exception {
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void svgIsWellFormedXmlOfThePlotsSize() throws Exception {
        Element root = parse(sixSeries().toSvg()).getDocumentElement();
        assertEquals("svg", root.getNodeName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals(String.valueOf(Charts.WIDTH), root.getAttribute("width"));
        assertEquals(String.valueOf(Charts.HEIGHT), root.getAttribute("height"));
    }

    @Test
    void theYAxisTitleIsTextTurnedAQuarterAnticlockwise() throws Exception {
        NodeList texts = parse(sixSeries().toSvg()).getElementsByTagName("text");
        StringBuilder transforms = new StringBuilder();
        for (int i = 0; i < texts.getLength(); i++) {
            if (texts.item(i).getTextContent().equals("mean logistic loss (log scale)")) {
                for (Node n = texts.item(i); n instanceof Element e; n = n.getParentNode()) {
                    transforms.append(e.getAttribute("transform")).append(' ');
                }
            }
        }
        // written as a rotation or as its matrix (cos, sin, -sin, cos) = (0, -1, 1, 0)
        assertTrue(transforms.toString().matches("(?s).*(rotate\\(-90\\)|matrix\\(-?0(\\.0)?,-1(\\.0)?,1(\\.0)?,-?0(\\.0)?,).*"),
                "y axis title's transforms: " + transforms);
    }

    @Test
    void eachSeriesIsOnePathThroughAllItsPoints() throws Exception {
        NodeList paths = parse(sixSeries().toSvg()).getElementsByTagName("path");
        int series = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            String d = ((Element) paths.item(i)).getAttribute("d").strip();
            // one move to the first point, then a line to each of the other 199
            if (d.chars().filter(c -> c == 'M').count() == 1 && d.chars().filter(c -> c == 'L').count() == 199) {
                series++;
            }
        }
        assertEquals(6, series);
    }

    @Test
    void theSameFigureGivesTheSameSvgBytes() {
        assertEquals(sixSeries().toSvg(), sixSeries().toSvg());
    }

    /** An init-scale sweep from 10⁻³ to 10 (four decades on x), as E3's A3.3 draws it. */
    private static Figure.Builder sweep() {
        List<Double> alpha = List.of(1e-3, 1e-2, 0.1, 1.0, 10.0);
        return Figure.builder("Init-scale sweep").id("sweep").xAxis("init scale α (dimensionless)")
                .yAxis("ratio (dimensionless)").series("‖β‖₁ / ‖β_l1‖₁", alpha, List.of(1.0, 1.01, 1.1, 1.4, 1.5));
    }

    @Test
    void aLogXAxisIsLabelledSoAndTickedAtPowersOfTen() throws Exception {
        String svg = sweep().logX(true).build().toSvg();
        for (String text : List.of("init scale α (dimensionless) (log scale)", "0.001", "0.01", "0.1", "1", "10")) {
            assertTrue(svg.contains(">" + text + "</text>"), "no <text> element '" + text + "'");
        }
        String linear = sweep().build().toSvg();
        assertFalse(linear.contains("(log scale)"), "a linear x axis is not labelled log");
        assertFalse(linear.contains(">0.001</text>"), "a linear axis from 0 to 10 has no tick at 0.001");
    }

    @Test
    void aLogXAxisLeavesOutNonPositiveXAndStaysLinearOverLessThanThirtyFold() throws Exception {
        Figure narrow = Figure.builder("Narrow").xAxis("x (units)").yAxis("y (units)").logX(true)
                .series("s", List.of(1.0, 2.0, 20.0), List.of(1.0, 2.0, 3.0)).build();
        assertFalse(narrow.toSvg().contains("(log scale)"), "20× is drawn on a linear axis");
        Figure withZero = Figure.builder("Zero").xAxis("x (units)").yAxis("y (units)").logX(true)
                .series("s", List.of(0.0, 1e-3, 1.0, 10.0), List.of(1.0, 2.0, 3.0, 4.0)).build();
        Figure positive = Figure.builder("Zero").xAxis("x (units)").yAxis("y (units)").logX(true)
                .series("s", List.of(1e-3, 1.0, 10.0), List.of(2.0, 3.0, 4.0)).build();
        assertTrue(withZero.toSvg().contains("(log scale)"));
        assertEquals(positive.toSvg(), withZero.toSvg(), "the point at x = 0 is left out of the log axis");
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

    @Test
    void pointSeriesDrawsItsPointsWithoutTheSegmentsBetweenThem() {
        List<Double> x = List.of(1.0, 2.0, 3.0, 4.0);
        List<Double> y = List.of(1.0, 3.0, 2.0, 4.0);
        String line = Figure.builder("t").series("s", x, y).build().toSvg();
        String points = Figure.builder("t").pointSeries("s", x, y).build().toSvg();
        assertEquals(occurrences(line, "<circle"), occurrences(points, "<circle"), "the same markers");
        assertEquals(occurrences(line, "<line") - 3, occurrences(points, "<line"), "no 3 segments joining 4 points");
    }

    private static int occurrences(String s, String part) {
        int count = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }
}
