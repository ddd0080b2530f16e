/**
 * The {@code bin/invariance} command line: subcommands parse options and call the library; no logic lives
 * here. Bad input ends with one line on standard error naming the cause and exit code 2.
 */
@NullMarked
package dev.invariance.cli;

import org.jspecify.annotations.NullMarked;
