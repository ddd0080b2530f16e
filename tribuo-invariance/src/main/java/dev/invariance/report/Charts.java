package dev.invariance.report;

import org.jspecify.annotations.Nullable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Line plots drawn by XChart and encoded as PNG or SVG: the only place the report and {@link Figure} touch the chart
 * library. A series keeps
 * only its finite points (and, on a log axis, its positive ones): a figure that was not computed or is undefined
 * leaves a gap rather than a false value, and a series with no point left is dropped.
 */
final class Charts {
    static final int WIDTH = 760;
    static final int HEIGHT = 400;
    /** At most this many series share one plot; the callers choose which (most and least low-rank layers). */
    static final int MAX_SERIES = 9;
    /** The smallest span of values drawn on a log axis. */
    static final double LOG_SPAN = 30;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};

    private Charts() {
    }

    /** One named curve; {@code x} and {@code y} have the same length, null y values are gaps. */
    record Series(String name, List<Double> x, List<@Nullable Double> y, boolean pointsOnly) {
        /** A series drawn as a line through its points. */
        Series(String name, List<Double> x, List<@Nullable Double> y) {
            this(name, x, y, false);
        }

        Series {
            if (x.size() != y.size()) {
                throw new IllegalArgumentException("series " + name + ": " + x.size() + " x values but " + y.size()
                        + " y values");
            }
            x = List.copyOf(x);
            y = java.util.Collections.unmodifiableList(new ArrayList<>(y));
        }
    }

    /** A drawn plot: the spec's title and caption, and the PNG's bytes. */
    record Plot(String id, String title, String caption, byte[] png, int seriesCount) {
        String dataUri() {
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        }
    }

    /** Draws the figure for the report as a PNG, or returns null when no series has a point to draw. */
    static @Nullable Plot draw(Figure spec) {
        return chart(spec).map(c -> new Plot(spec.getId(), spec.getTitle(), spec.getCaption(), png(c, spec.getTitle()),
                c.getSeriesMap().size())).orElse(null);
    }

    /**
     * Builds the XChart chart of the figure, empty when no series has a point to draw. A log axis is used only when
     * the values span more than {@value #LOG_SPAN}× (XChart labels a log axis at powers of ten only), and its label
     * then says so.
     */
    static Optional<Chart<? extends AxesChartStyler, ?>> chart(Figure spec) {
        boolean log = spec.logY() && span(spec, Series::y) > LOG_SPAN;
        boolean logX = spec.logX() && span(spec, Series::x) > LOG_SPAN;
        String yLabel = spec.yLabel() + (log ? " (log scale)" : "");
        String xLabel = spec.xLabel() + (logX ? " (log scale)" : "");
        int drawn = 0;
        Chart<? extends AxesChartStyler, ?> chart;
        if (spec.categories().isEmpty()) {
            XYChart xy = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(spec.getTitle()).xAxisTitle(xLabel)
                    .yAxisTitle(yLabel).build();
            for (Series s : spec.series()) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int i = 0; i < s.x().size(); i++) {
                    Double y = s.y().get(i);
                    if (drawable(y, log) && drawable(s.x().get(i), logX)) {
                        xs.add(s.x().get(i));
                        ys.add(y);
                    }
                }
                if (xs.isEmpty() || drawn == MAX_SERIES) {
                    continue;
                }
                XYSeries series = xy.addSeries(uniqueName(xy.getSeriesMap().keySet(), s.name()), xs, ys);
                Color color = PALETTE[drawn++ % PALETTE.length];
                series.setLineColor(color);
                series.setMarkerColor(color);
                series.setLineStyle(new BasicStroke(1.6f));
                series.setMarker(xs.size() <= 60 || s.pointsOnly() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                if (s.pointsOnly()) {
                    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                }
            }
            xy.getStyler().setXAxisDecimalPattern("#,##0.###");
            xy.getStyler().setXAxisLogarithmic(logX);
            chart = xy;
        } else {
            CategoryChart cat = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(spec.getTitle())
                    .xAxisTitle(spec.xLabel()).yAxisTitle(yLabel).build();
            cat.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            cat.getStyler().setOverlapped(true);
            for (Series s : spec.series()) {
                List<@Nullable Double> ys = new ArrayList<>();
                boolean any = false;
                for (Double y : s.y()) {
                    ys.add(drawable(y, log) ? y : null);
                    any |= drawable(y, log);
                }
                if (!any || drawn == MAX_SERIES) {
                    continue;
                }
                CategorySeries series = cat.addSeries(uniqueName(cat.getSeriesMap().keySet(), s.name()),
                        spec.categories(), ys);
                Color color = PALETTE[drawn++ % PALETTE.length];
                series.setLineColor(color);
                series.setMarkerColor(color);
                series.setFillColor(color);
                series.setLineStyle(new BasicStroke(1.6f));
                series.setMarker(SeriesMarkers.CIRCLE);
            }
            chart = cat;
        }
        if (drawn == 0) {
            return Optional.empty();
        }
        style(chart.getStyler(), log);
        // a legend whenever the spec has several series, even if only one had points (it then says which)
        chart.getStyler().setLegendVisible(spec.series().size() > 1);
        if (legendWidth(chart.getSeriesMap().keySet()) > WIDTH - 60) {
            // long names (an ONNX model's tensors) in a column beside the plot rather than clipped below it
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        return Optional.of(chart);
    }

    /** The chart as a PNG image. */
    static byte[] png(Chart<?, ?> chart, String title) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the plot '" + title + "' as PNG", e);
        }
    }

    /**
     * The chart as an SVG document of the same size, painted onto {@link SvgCanvas} so that its text is {@code <text>}
     * (XChart's own SVG route writes every glyph as a path: megabytes for one plot). The chart is painted twice: the
     * first pass lays out the axes, whose tick labels are then among the texts the second pass recognises.
     */
    static String svg(Chart<?, ?> chart) {
        chart.paint(new SvgCanvas(chart.getWidth(), chart.getHeight(), List.of()), chart.getWidth(), chart.getHeight());
        List<@Nullable String> drawn = new ArrayList<>();
        drawn.add(chart.getTitle());
        drawn.add(chart.getXAxisTitle());
        drawn.add(chart.getYAxisTitle());
        drawn.addAll(chart.getSeriesMap().keySet());
        drawn.addAll(tickLabels(chart, "getXAxis"));
        drawn.addAll(tickLabels(chart, "getYAxis"));
        List<String> texts = new ArrayList<>();
        for (String t : drawn) {
            if (t != null && !t.isEmpty()) {
                texts.add(t);
            }
        }
        SvgCanvas canvas = new SvgCanvas(chart.getWidth(), chart.getHeight(), texts);
        chart.paint(canvas, chart.getWidth(), chart.getHeight());
        return canvas.document();
    }

    /**
     * The tick labels of one axis after a paint. XChart keeps its axes package-private ({@code Chart.getXAxis()},
     * {@code getYAxis()}), hence reflection, on the pinned XChart version; without them the labels stay paths.
     */
    private static List<@Nullable String> tickLabels(Chart<?, ?> chart, String axisGetter) {
        try {
            java.lang.reflect.Method m = Chart.class.getDeclaredMethod(axisGetter);
            m.setAccessible(true);
            Object axis = m.invoke(chart);
            if (axis instanceof org.knowm.xchart.internal.chartpart.Axis<?, ?> a && a.getAxisTickCalculator() != null) {
                return a.getAxisTickCalculator().getTickLabels();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a different XChart: the tick labels are written as paths, the figure is still right
        }
        return List.of();
    }

    /** The width in pixels of a one-row legend of these names at the legend's 11-point font (about 6.5 px a character). */
    private static double legendWidth(java.util.Set<String> names) {
        double w = 0;
        for (String n : names) {
            w += 6.5 * n.length() + 40;
        }
        return w;
    }

    private static boolean drawable(@Nullable Double y, boolean log) {
        return y != null && Double.isFinite(y) && (!log || y > 0);
    }

    private static String uniqueName(java.util.Set<String> taken, String name) {
        String n = name.isEmpty() ? " " : name;
        String candidate = n;
        for (int k = 2; taken.contains(candidate); k++) {
            candidate = n + " (" + k + ")";
        }
        return candidate;
    }

    /** max/min of the positive finite values of one coordinate, x or y (1 when there are none). */
    private static double span(Figure spec, java.util.function.Function<Series, List<? extends @Nullable Double>> axis) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Series s : spec.series()) {
            for (Double v : axis.apply(s)) {
                if (v != null && Double.isFinite(v) && v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        return max > 0 ? max / min : 1;
    }

    private static void style(AxesChartStyler s, boolean log) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0x999999));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xe5e5e5));
        // solid grid lines: XChart fills each dash of a dashed one as its own rectangle, hundreds of paths in an SVG
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setMarkerSize(5);
        s.setYAxisLogarithmic(log);
        s.setAntiAlias(true);
    }
}
