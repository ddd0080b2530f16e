package dev.invariance.report;

import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;

import javax.xml.XMLConstants;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Graphics2D that paints onto Apache Batik's {@link SVGGraphics2D} and writes text as {@code <text>}. XChart draws
 * every string as the outline of its {@link TextLayout} (after setting the font), which an SVG would hold as glyph
 * paths: megabytes, and not selectable. Given the strings the chart draws, this canvas recognises a filled outline that
 * equals {@code new TextLayout(text, font, frc).getOutline(null)} for the current font and draws the text instead, at
 * the same origin under the same transform; any other shape is passed on unchanged. Consecutive line segments are
 * joined into one path. Everything else is forwarded as is (the forwarding methods below are mechanical: each draws
 * the pending joined lines first).
 */
final class SvgCanvas extends Graphics2D {
    /** Two decimals of a pixel: the drawing is unchanged at any zoom a reader uses, and the file is half the size. */
    private static final int PRECISION = 2;
    private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";
    private static final String XLINK_NAMESPACE = "http://www.w3.org/1999/xlink";
    private final SVGGraphics2D svg;
    private final List<String> texts;
    /** The angles at which XChart draws text: upright, and the y axis title turned a quarter anticlockwise. */
    private static final double[] ANGLES = {0, -Math.PI / 2};
    /** How far (pixels) a recognised outline may lie from the text's own: rounding of the translation only. */
    private static final double EPS = 1e-6;
    /** Outlines already computed, by font and angle, then text. */
    private final Map<Key, Map<String, Shape>> outlines = new HashMap<>();
    private @Nullable Path2D polyline;
    private int segments;
    private double firstX;
    private double firstY;
    private double lastX;
    private double lastY;

    private record Key(Font font, double angle) {
    }

    /**
     * @param width  the document's width in pixels
     * @param height the document's height in pixels
     * @param texts  the strings the chart draws (titles, axis titles, tick labels, legend entries)
     */
    SvgCanvas(int width, int height, List<String> texts) {
        SVGGeneratorContext context = SVGGeneratorContext.createDefault(newDocument());
        context.setPrecision(PRECISION);
        context.setComment(null);
        this.svg = new SVGGraphics2D(context, false);
        this.svg.setSVGCanvasSize(new Dimension(width, height));
        this.texts = List.copyOf(texts);
    }

    /**
     * An empty DOM document from the JDK's own implementation: Batik's generator needs only a node factory, so neither
     * batik-dom nor another XML library is needed.
     */
    private static org.w3c.dom.Document newDocument() {
        try {
            return javax.xml.parsers.DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().newDocument();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured: " + e.getMessage(), e);
        }
    }

    /**
     * The SVG document of everything drawn, written by the JDK's transformer without indentation (Batik's own writer
     * breaks lines inside closing tags, as in {@code </text\n>}, which splits the elements a reader searches for).
     * Called once, after painting: Batik moves the drawing into the document it returns.
     */
    String document() {
        flush();
        Element root = svg.getRoot();
        root.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns", SVG_NAMESPACE);
        root.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:xlink", XLINK_NAMESPACE);
        StringWriter out = new StringWriter();
        try {
            Transformer writer = TransformerFactory.newDefaultInstance().newTransformer();
            writer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            writer.setOutputProperty(OutputKeys.INDENT, "no");
            writer.setOutputProperty(OutputKeys.DOCTYPE_PUBLIC, "-//W3C//DTD SVG 1.0//EN");
            writer.setOutputProperty(OutputKeys.DOCTYPE_SYSTEM, "http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd");
            writer.transform(new DOMSource(root), new StreamResult(out));
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write the SVG document: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /**
     * Draws {@code shape} filled, or, when it is the outline of one of the chart's strings in the current font
     * (upright, or turned a quarter anticlockwise like XChart's y axis title), that string as text at the same place.
     */
    @Override
    public void fill(Shape shape) {
        flush();
        if (shape instanceof Path2D && !texts.isEmpty()) {
            Rectangle2D bounds = shape.getBounds2D();
            for (double angle : ANGLES) {
                Map<String, Shape> byText = outlines.computeIfAbsent(new Key(svg.getFont(), angle), k -> new HashMap<>());
                for (String text : texts) {
                    Shape outline = byText.computeIfAbsent(text, t -> new TextLayout(t, svg.getFont(),
                            svg.getFontRenderContext()).getOutline(AffineTransform.getRotateInstance(angle)));
                    Rectangle2D o = outline.getBounds2D();
                    double dx = bounds.getMinX() - o.getMinX();
                    double dy = bounds.getMinY() - o.getMinY();
                    if (Math.abs(o.getWidth() - bounds.getWidth()) < EPS && Math.abs(o.getHeight() - bounds.getHeight()) < EPS
                            && samePath(outline, shape, dx, dy)) {
                        AffineTransform saved = svg.getTransform();
                        svg.translate(dx, dy);
                        svg.rotate(angle);
                        svg.drawString(text, 0f, 0f);
                        svg.setTransform(saved);
                        return;
                    }
                }
            }
        }
        svg.fill(shape);
    }

    /** Whether {@code b} is {@code a} moved by (dx, dy), segment by segment, to within {@link #EPS} pixels. */
    private static boolean samePath(Shape a, Shape b, double dx, double dy) {
        PathIterator i = a.getPathIterator(null);
        PathIterator j = b.getPathIterator(null);
        double[] ca = new double[6];
        double[] cb = new double[6];
        while (!i.isDone() && !j.isDone()) {
            int type = i.currentSegment(ca);
            if (type != j.currentSegment(cb)) {
                return false;
            }
            int coordinates = type == PathIterator.SEG_QUADTO ? 4 : type == PathIterator.SEG_CUBICTO ? 6
                    : type == PathIterator.SEG_CLOSE ? 0 : 2;
            for (int k = 0; k < coordinates; k += 2) {
                if (Math.abs(ca[k] + dx - cb[k]) > EPS || Math.abs(ca[k + 1] + dy - cb[k + 1]) > EPS) {
                    return false;
                }
            }
            i.next();
            j.next();
        }
        return i.isDone() && j.isDone();
    }

    /**
     * Draws {@code shape}'s outline. XChart draws a series as one line per pair of points; consecutive lines that
     * continue each other in the same colour and stroke are joined into one path (a fifth of the bytes).
     */
    @Override
    public void draw(Shape shape) {
        if (shape instanceof Line2D line) {
            Path2D joined = polyline;
            if (joined != null && line.getX1() == lastX && line.getY1() == lastY) {
                joined.lineTo(line.getX2(), line.getY2());
                segments++;
            } else {
                flush();
                joined = new Path2D.Double();
                joined.moveTo(line.getX1(), line.getY1());
                joined.lineTo(line.getX2(), line.getY2());
                polyline = joined;
                segments = 1;
                firstX = line.getX1();
                firstY = line.getY1();
            }
            lastX = line.getX2();
            lastY = line.getY2();
            return;
        }
        flush();
        svg.draw(shape);
    }

    /** Draws the pending joined lines, if any; called before anything else reaches the SVG. */
    private void flush() {
        Path2D pending = polyline;
        if (pending != null) {
            polyline = null;
            svg.draw(segments == 1 ? new Line2D.Double(firstX, firstY, lastX, lastY) : pending);
        }
    }

    /** Sets the colour; the lines pending stay joined when it does not change (XChart sets it before every line). */
    @Override
    public void setColor(java.awt.Color color) {
        if (!color.equals(svg.getColor())) {
            flush();
        }
        svg.setColor(color);
    }

    /** Sets the paint; the lines pending stay joined when it does not change. */
    @Override
    public void setPaint(java.awt.Paint paint) {
        if (!paint.equals(svg.getPaint())) {
            flush();
        }
        svg.setPaint(paint);
    }

    /** Sets the stroke; the lines pending stay joined when it does not change (XChart sets it before every line). */
    @Override
    public void setStroke(java.awt.Stroke stroke) {
        if (!stroke.equals(svg.getStroke())) {
            flush();
        }
        svg.setStroke(stroke);
    }

    @Override
    public void setFont(Font font) {
        flush();
        svg.setFont(font);
    }

    @Override
    public Font getFont() {
        return svg.getFont();
    }

    /** Not supported: XChart paints a chart on the canvas it is given. */
    @Override
    public Graphics create() {
        throw new UnsupportedOperationException("SvgCanvas cannot be copied");
    }

    @Override
    public void dispose() {
        flush();
        svg.dispose();
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, java.awt.Color a9, java.awt.image.ImageObserver a10) {
        flush();
        return svg.drawImage(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, java.awt.image.ImageObserver a9) {
        flush();
        return svg.drawImage(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, int a3, int a4, java.awt.Color a5, java.awt.image.ImageObserver a6) {
        flush();
        return svg.drawImage(a0, a1, a2, a3, a4, a5, a6);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, int a3, int a4, java.awt.image.ImageObserver a5) {
        flush();
        return svg.drawImage(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, java.awt.Color a3, java.awt.image.ImageObserver a4) {
        flush();
        return svg.drawImage(a0, a1, a2, a3, a4);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, int a1, int a2, java.awt.image.ImageObserver a3) {
        flush();
        return svg.drawImage(a0, a1, a2, a3);
    }

    @Override
    public boolean drawImage(java.awt.Image a0, java.awt.geom.AffineTransform a1, java.awt.image.ImageObserver a2) {
        flush();
        return svg.drawImage(a0, a1, a2);
    }

    @Override
    public boolean hit(java.awt.Rectangle a0, java.awt.Shape a1, boolean a2) {
        flush();
        return svg.hit(a0, a1, a2);
    }

    @Override
    public java.awt.Color getBackground() {
        flush();
        return svg.getBackground();
    }

    @Override
    public java.awt.Color getColor() {
        flush();
        return svg.getColor();
    }

    @Override
    public java.awt.Composite getComposite() {
        flush();
        return svg.getComposite();
    }

    @Override
    public java.awt.FontMetrics getFontMetrics(java.awt.Font a0) {
        flush();
        return svg.getFontMetrics(a0);
    }

    @Override
    public java.awt.GraphicsConfiguration getDeviceConfiguration() {
        flush();
        return svg.getDeviceConfiguration();
    }

    @Override
    public java.awt.Paint getPaint() {
        flush();
        return svg.getPaint();
    }

    @Override
    public java.awt.Rectangle getClipBounds() {
        flush();
        return svg.getClipBounds();
    }

    @Override
    public java.awt.RenderingHints getRenderingHints() {
        flush();
        return svg.getRenderingHints();
    }

    @Override
    public java.awt.Shape getClip() {
        flush();
        return svg.getClip();
    }

    @Override
    public java.awt.Stroke getStroke() {
        flush();
        return svg.getStroke();
    }

    @Override
    public java.awt.font.FontRenderContext getFontRenderContext() {
        flush();
        return svg.getFontRenderContext();
    }

    @Override
    public java.awt.geom.AffineTransform getTransform() {
        flush();
        return svg.getTransform();
    }

    @Override
    public java.lang.Object getRenderingHint(java.awt.RenderingHints.Key a0) {
        flush();
        return svg.getRenderingHint(a0);
    }

    @Override
    public void addRenderingHints(java.util.Map<?, ?> a0) {
        flush();
        svg.addRenderingHints(a0);
    }

    @Override
    public void clearRect(int a0, int a1, int a2, int a3) {
        flush();
        svg.clearRect(a0, a1, a2, a3);
    }

    @Override
    public void clip(java.awt.Shape a0) {
        flush();
        svg.clip(a0);
    }

    @Override
    public void clipRect(int a0, int a1, int a2, int a3) {
        flush();
        svg.clipRect(a0, a1, a2, a3);
    }

    @Override
    public void copyArea(int a0, int a1, int a2, int a3, int a4, int a5) {
        flush();
        svg.copyArea(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void drawArc(int a0, int a1, int a2, int a3, int a4, int a5) {
        flush();
        svg.drawArc(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void drawGlyphVector(java.awt.font.GlyphVector a0, float a1, float a2) {
        flush();
        svg.drawGlyphVector(a0, a1, a2);
    }

    @Override
    public void drawImage(java.awt.image.BufferedImage a0, java.awt.image.BufferedImageOp a1, int a2, int a3) {
        flush();
        svg.drawImage(a0, a1, a2, a3);
    }

    @Override
    public void drawLine(int a0, int a1, int a2, int a3) {
        flush();
        svg.drawLine(a0, a1, a2, a3);
    }

    @Override
    public void drawOval(int a0, int a1, int a2, int a3) {
        flush();
        svg.drawOval(a0, a1, a2, a3);
    }

    @Override
    public void drawPolygon(int[] a0, int[] a1, int a2) {
        flush();
        svg.drawPolygon(a0, a1, a2);
    }

    @Override
    public void drawPolyline(int[] a0, int[] a1, int a2) {
        flush();
        svg.drawPolyline(a0, a1, a2);
    }

    @Override
    public void drawRenderableImage(java.awt.image.renderable.RenderableImage a0, java.awt.geom.AffineTransform a1) {
        flush();
        svg.drawRenderableImage(a0, a1);
    }

    @Override
    public void drawRenderedImage(java.awt.image.RenderedImage a0, java.awt.geom.AffineTransform a1) {
        flush();
        svg.drawRenderedImage(a0, a1);
    }

    @Override
    public void drawRoundRect(int a0, int a1, int a2, int a3, int a4, int a5) {
        flush();
        svg.drawRoundRect(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void drawString(java.lang.String a0, float a1, float a2) {
        flush();
        svg.drawString(a0, a1, a2);
    }

    @Override
    public void drawString(java.lang.String a0, int a1, int a2) {
        flush();
        svg.drawString(a0, a1, a2);
    }

    @Override
    public void drawString(java.text.AttributedCharacterIterator a0, float a1, float a2) {
        flush();
        svg.drawString(a0, a1, a2);
    }

    @Override
    public void drawString(java.text.AttributedCharacterIterator a0, int a1, int a2) {
        flush();
        svg.drawString(a0, a1, a2);
    }

    @Override
    public void fillArc(int a0, int a1, int a2, int a3, int a4, int a5) {
        flush();
        svg.fillArc(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void fillOval(int a0, int a1, int a2, int a3) {
        flush();
        svg.fillOval(a0, a1, a2, a3);
    }

    @Override
    public void fillPolygon(int[] a0, int[] a1, int a2) {
        flush();
        svg.fillPolygon(a0, a1, a2);
    }

    @Override
    public void fillRect(int a0, int a1, int a2, int a3) {
        flush();
        svg.fillRect(a0, a1, a2, a3);
    }

    @Override
    public void fillRoundRect(int a0, int a1, int a2, int a3, int a4, int a5) {
        flush();
        svg.fillRoundRect(a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void rotate(double a0) {
        flush();
        svg.rotate(a0);
    }

    @Override
    public void rotate(double a0, double a1, double a2) {
        flush();
        svg.rotate(a0, a1, a2);
    }

    @Override
    public void scale(double a0, double a1) {
        flush();
        svg.scale(a0, a1);
    }

    @Override
    public void setBackground(java.awt.Color a0) {
        flush();
        svg.setBackground(a0);
    }

    @Override
    public void setClip(int a0, int a1, int a2, int a3) {
        flush();
        svg.setClip(a0, a1, a2, a3);
    }

    @Override
    public void setClip(java.awt.Shape a0) {
        flush();
        svg.setClip(a0);
    }

    @Override
    public void setComposite(java.awt.Composite a0) {
        flush();
        svg.setComposite(a0);
    }

    @Override
    public void setPaintMode() {
        flush();
        svg.setPaintMode();
    }

    @Override
    public void setRenderingHint(java.awt.RenderingHints.Key a0, java.lang.Object a1) {
        flush();
        svg.setRenderingHint(a0, a1);
    }

    @Override
    public void setRenderingHints(java.util.Map<?, ?> a0) {
        flush();
        svg.setRenderingHints(a0);
    }

    @Override
    public void setTransform(java.awt.geom.AffineTransform a0) {
        flush();
        svg.setTransform(a0);
    }

    @Override
    public void setXORMode(java.awt.Color a0) {
        flush();
        svg.setXORMode(a0);
    }

    @Override
    public void shear(double a0, double a1) {
        flush();
        svg.shear(a0, a1);
    }

    @Override
    public void transform(java.awt.geom.AffineTransform a0) {
        flush();
        svg.transform(a0);
    }

    @Override
    public void translate(double a0, double a1) {
        flush();
        svg.translate(a0, a1);
    }

    @Override
    public void translate(int a0, int a1) {
        flush();
        svg.translate(a0, a1);
    }

}
