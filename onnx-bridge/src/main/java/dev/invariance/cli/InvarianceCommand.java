package dev.invariance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code invariance} launcher: subcommands {@code train}, {@code analyze}, {@code compress}, {@code report}, {@code reproduce-check},
 * {@code reproduce} and {@code demo}. */
@Command(name = "invariance", mixinStandardHelpOptions = true, version = "invariance 0.1.0",
        description = "Train deep linear / ReLU classifiers on Tribuo and find their low-rank and aligned layers.",
        subcommands = {TrainCommand.class, AnalyzeCommand.class, CompressCommand.class, ReportCommand.class, ReproduceCheckCommand.class,
                ReproduceCommand.class, DemoCommand.class})
public final class InvarianceCommand {

    /** Exit code for bad input (missing file, malformed data, invalid option). */
    public static final int BAD_INPUT = 2;
    /** Exit code for a run that failed for another reason (for example divergence). */
    public static final int FAILED = 1;

    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");
    /**
     * Tribuo and OLCUT log progress ("Read 50000 records") and warnings the command line already handles ("Ignoring
     * extra newline") on standard error; they are shown only with {@code --verbose}. Held strongly, as above.
     */
    static final java.util.List<Logger> LIBRARY_LOGGERS = java.util.List.of(Logger.getLogger("org.tribuo"),
            Logger.getLogger("com.oracle.labs.mlrg.olcut"));

    @picocli.CommandLine.Option(names = "--verbose", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Also show the log messages of Tribuo, OLCUT and ONNX Runtime.")
    void setVerbose(boolean verbose) {
        for (Logger l : LIBRARY_LOGGERS) {
            l.setLevel(verbose ? Level.INFO : Level.SEVERE);
        }
    }

    private InvarianceCommand() {
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line on the process's standard streams and returns its exit code. Both are written in UTF-8
     * whatever the locale: JSON is UTF-8 by definition (RFC 8259), and tables mark figures not computed with "–".
     */
    public static int run(String... args) {
        return run(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true), args);
    }

    /** Runs the command line writing to the given streams and returns its exit code (for tests and embedding). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        quietNativeLoaders();
        return commandLine(out, err).execute(args);
    }

    /**
     * The parser of the command line, writing to the given streams. An argument that starts with {@code @} is an
     * argument like any other: picocli would otherwise read it as the name of a file of further arguments, and an
     * option is untrusted input that may not make the command read a file it does not name as a file
     * ({@code @/dev/zero} would read forever).
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new InvarianceCommand());
        cl.setExpandAtFiles(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(CliErrors::onParameterError);
        cl.setExecutionExceptionHandler(CliErrors::onExecutionError);
        return cl;
    }

    /**
     * netlib logs a warning for every optional backend it does not find; the command line reports the one in use.
     * Library logging is quiet until {@code --verbose}.
     */
    private static void quietNativeLoaders() {
        NETLIB_LOGGER.setLevel(Level.SEVERE);
        for (Logger l : LIBRARY_LOGGERS) {
            l.setLevel(Level.SEVERE);
        }
    }
}
