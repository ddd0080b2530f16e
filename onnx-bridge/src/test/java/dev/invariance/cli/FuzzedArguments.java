package dev.invariance.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An argument vector read from fuzzed bytes: UTF-8 text (a malformed sequence becomes U+FFFD), one argument per line,
 * at most {@link #MAX_ARGUMENTS} of them. Text keeps the committed inputs readable and lets the fuzzer's dictionary
 * insert option names and values whole. Four macros stand for what a short line cannot hold:
 * {@code $DIR} is the work folder (absolute), {@code $LONG} {@link #LONG_LENGTH} letters {@code x}, {@code $NL} a
 * line feed and {@code $ESC} the escape character (a raw one works too).
 */
record FuzzedArguments(List<String> args) {
    static final int MAX_ARGUMENTS = 64;
    static final int LONG_LENGTH = 100_000;
    private static final String LONG = "x".repeat(LONG_LENGTH);

    FuzzedArguments {
        args = List.copyOf(args);
    }

    /** The arguments {@code data} spells, with {@code $DIR} standing for {@code workFolder}. */
    static FuzzedArguments decode(byte[] data, Path workFolder) {
        String text = new String(data, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1); // a file's last line ends with a line feed
        }
        List<String> args = new ArrayList<>();
        if (text.isEmpty()) {
            return new FuzzedArguments(args);
        }
        for (String line : text.split("\n", -1)) {
            if (args.size() == MAX_ARGUMENTS) {
                break;
            }
            args.add(line.replace("$DIR", workFolder.toString()).replace("$LONG", LONG).replace("$NL", "\n")
                    .replace("$ESC", "\u001b"));
        }
        return new FuzzedArguments(args);
    }

    String[] toArray() {
        return args.toArray(String[]::new);
    }
}
