package dev.invariance.report;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A line plot of several named series: title, axis labels (with their units), legend, optional logarithmic y and x
 * axes and a one-sentence caption, drawn by the same plotting layer as the {@link HtmlReport}'s plots and written as PNG
 * ({@link #writePng}) or SVG with its text as text ({@link #writeSvg}). A series keeps only its finite points (and, on
 * a log axis, its positive ones, in x as in y): a value that was not computed leaves a gap, and a series with nothing
 * left is not drawn. A log axis is used only when its values span more than 30× (its labels are powers of ten); its
 * label then says "(log scale)".
 *
 * <pre>{@code
 * Figure f = Figure.builder("Training loss").xAxis("training step").yAxis("mean logistic loss").logY(true)
 *         .series("scale 0.1", steps, losses).build();
 * f.writePng(dir.resolve("loss.png"));
 * f.writeSvg(dir.resolve("loss.svg"));
 * }</pre>
 * Immutable.
 */
public final class Figure {
    private final String id;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final boolean logX;
    private final List<Charts.Series> series;
    private final String caption;
    private final List<String> categories;

    /**
     * The report's constructor: {@code categories} non-empty makes the x axis categorical (checkpoints), the series' x
     * values then being the positions 0, 1, ….
     */
    Figure(String id, String title, String xLabel, String yLabel, boolean logY, List<Charts.Series> series,
           String caption, List<String> categories) {
        this(id, title, xLabel, yLabel, logY, false, series, caption, categories);
    }

    private Figure(String id, String title, String xLabel, String yLabel, boolean logY, boolean logX,
                   List<Charts.Series> series, String caption, List<String> categories) {
        this.id = id;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
        this.logX = logX && categories.isEmpty();
        this.series = List.copyOf(series);
        this.caption = caption;
        this.categories = List.copyOf(categories);
    }

    /** A builder of a figure with this title. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** The title drawn above the plot. */
    public String getTitle() {
        return title;
    }

    /** The one-sentence caption (not drawn in the image; the report and the docs print it beneath). */
    public String getCaption() {
        return caption;
    }

    /** The id: the file name stem and the report's anchor. */
    public String getId() {
        return id;
    }

    String xLabel() {
        return xLabel;
    }

    String yLabel() {
        return yLabel;
    }

    boolean logY() {
        return logY;
    }

    boolean logX() {
        return logX;
    }

    List<Charts.Series> series() {
        return series;
    }

    List<String> categories() {
        return categories;
    }

    /**
     * The figure as a PNG image ({@value Charts#WIDTH} × {@value Charts#HEIGHT} pixels).
     *
     * @throws IllegalStateException when no series has a point to draw
     */
    public byte[] toPng() {
        return Charts.png(Charts.chart(this).orElseThrow(this::nothingToDraw), title);
    }

    /**
     * The figure as an SVG document of the same size, its text as {@code <text>} elements (selectable, small).
     *
     * @throws IllegalStateException when no series has a point to draw
     */
    public String toSvg() {
        return Charts.svg(Charts.chart(this).orElseThrow(this::nothingToDraw));
    }

    /** Writes {@link #toPng()} to {@code file}, replacing it. */
    public void writePng(Path file) {
        write(file, toPng());
    }

    /** Writes {@link #toSvg()} to {@code file} (UTF-8), replacing it. */
    public void writeSvg(Path file) {
        write(file, toSvg().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes the figure into {@code dir} (created when missing) as {@code <id>.png} and {@code <id>.svg}.
     *
     * @return the two files, PNG first
     */
    public List<Path> writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        Path png = dir.resolve(id + ".png");
        Path svgFile = dir.resolve(id + ".svg");
        writePng(png);
        writeSvg(svgFile);
        return List.of(png, svgFile);
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the figure (" + e.getMessage() + ")", e);
        }
    }

    private IllegalStateException nothingToDraw() {
        return new IllegalStateException("figure '" + title + "': no series has a finite point to draw");
    }

    @Override
    public String toString() {
        return "Figure[" + title + ", " + series.size() + " series]";
    }

    /** Collects a {@link Figure}'s parts; every setter returns the builder. */
    public static final class Builder {
        private final String title;
        private String id;
        private String xLabel = "";
        private String yLabel = "";
        private boolean logY;
        private boolean logX;
        private String caption = "";
        private final List<Charts.Series> series = new ArrayList<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
            this.id = title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        }

        /** The file name stem and anchor (by default the title in lower case with dashes). */
        public Builder id(String figureId) {
            this.id = Objects.requireNonNull(figureId, "figureId");
            return this;
        }

        /** The x axis label, with its unit (for example {@code "training step (parameter updates)"}). */
        public Builder xAxis(String label) {
            this.xLabel = Objects.requireNonNull(label, "label");
            return this;
        }

        /** The y axis label, with its unit or "(dimensionless)". */
        public Builder yAxis(String label) {
            this.yLabel = Objects.requireNonNull(label, "label");
            return this;
        }

        /** Whether the y axis is logarithmic (used when the values span more than 30×). */
        public Builder logY(boolean logarithmic) {
            this.logY = logarithmic;
            return this;
        }

        /**
         * Whether the x axis is logarithmic, for a quantity that spans decades (an init scale, a step count): used when
         * the x values span more than 30×; points with x ≤ 0 are then left out.
         */
        public Builder logX(boolean logarithmic) {
            this.logX = logarithmic;
            return this;
        }

        /** The one-sentence caption. */
        public Builder caption(String text) {
            this.caption = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * Adds a series drawn in the next colour; a null, NaN or infinite y (or a non-positive one on a log axis) is a
         * gap. At most {@value Charts#MAX_SERIES} series are drawn.
         *
         * @throws IllegalArgumentException when {@code x} and {@code y} differ in length
         */
        public Builder series(String name, List<Double> x, List<? extends @Nullable Double> y) {
            series.add(new Charts.Series(name, x, new ArrayList<@Nullable Double>(y)));
            return this;
        }

        /**
         * Adds a series drawn as points alone, without a line joining them (for values that are not a function of x,
         * such as models tried in a search); otherwise as {@link #series}.
         *
         * @throws IllegalArgumentException when {@code x} and {@code y} differ in length
         */
        public Builder pointSeries(String name, List<Double> x, List<? extends @Nullable Double> y) {
            series.add(new Charts.Series(name, x, new ArrayList<@Nullable Double>(y), true));
            return this;
        }

        /** The figure. */
        public Figure build() {
            return new Figure(id, title, xLabel, yLabel, logY, logX, series, caption, List.of());
        }
    }
}
