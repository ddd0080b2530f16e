/**
 * Engine internals of {@code dev.invariance.linalg}: public only because another package of this project calls them
 * (docs/guide.md, "The supported API", says which and why). They are free to change between releases; a program
 * that uses them may break on any update.
 */
@NullMarked
package dev.invariance.linalg.internal;

import org.jspecify.annotations.NullMarked;
