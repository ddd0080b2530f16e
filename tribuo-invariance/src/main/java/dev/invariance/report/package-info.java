/**
 * The HTML report of an analysis (issue 21): {@link dev.invariance.report.HtmlReport} renders what an
 * {@link dev.invariance.evaluation.InvarianceEvaluation} holds (the same figures the analysis JSON writes), for one
 * model or for several checkpoints of one architecture side by side, with a training trace when there is one, as one
 * self-contained HTML file: plots drawn by XChart and embedded as PNG data URIs, tables, the provenance, and a
 * conclusion in plain words whose every sentence comes from the figures with its threshold stated. Nothing in the
 * file is fetched from anywhere: no script, style sheet, font or image outside it. Its plots are
 * {@link dev.invariance.report.Figure}s, which anyone can build and also write as PNG or SVG files (the reproductions'
 * figures): one plotting layer for both.
 */
@NullMarked
package dev.invariance.report;

import org.jspecify.annotations.NullMarked;
