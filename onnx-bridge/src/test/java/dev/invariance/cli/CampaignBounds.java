package dev.invariance.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/**
 * Which fuzzed argument vectors the command-line fuzz test runs. The command line does what a valid vector asks, so
 * three kinds are left out, found by parsing the vector as the command line does:
 * <ul>
 *   <li>a {@code train} whose outputs ({@code --output}, {@code --tribuo-model}, {@code --provenance}) lie outside
 *       the fuzz test's folder (a relative name lands in the working folder; {@code /dev/null} would be replaced);</li>
 *   <li>a training whose work, steps × examples × weights, is more than {@link #WORK} while its widths fit the heap
 *       ({@link TrainingMemory}): {@code --steps 2147483647} is a long run the user asked for, not a hang;</li>
 *   <li>{@code demo}, which trains 20,000 steps and writes {@code demo-output} in the working folder;</li>
 *   <li>arguments naming {@code /proc}, {@code /sys} or the process's own streams ({@code /dev/stdin},
 *       {@code /dev/fd}): in-process, those are the test runner's.</li>
 * </ul>
 * Everything else runs, including every vector the parser refuses and widths that do not fit the heap (those must be
 * refused quickly).
 */
final class CampaignBounds {
    /** Steps × examples × weights a fuzzed training may ask for: about a second of arithmetic. */
    static final long WORK = 200_000_000L;
    private static final List<String> OUTPUTS = List.of("--output", "--tribuo-model", "--provenance");
    private static final List<String> PROCESS_PATHS = List.of("/proc", "/sys", "/dev/std", "/dev/fd");

    private final Path folder;
    private final int features;
    private final int outputs;
    private final int examples;

    /**
     * @param folder   what a run may write in (absolute, no links inside)
     * @param features the training data's feature columns
     * @param outputs  the network's output units
     * @param examples the training data's rows
     */
    CampaignBounds(Path folder, int features, int outputs, int examples) {
        this.folder = folder;
        this.features = features;
        this.outputs = outputs;
        this.examples = examples;
    }

    /** Why {@code args} is left out of the campaign, or null when it runs. */
    @Nullable String reasonToSkip(List<String> args) {
        for (String a : args) {
            for (String p : PROCESS_PATHS) {
                if (a.contains(p)) {
                    return "names " + p;
                }
            }
        }
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        ParseResult parsed;
        try {
            parsed = InvarianceCommand.commandLine(discard, discard).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.PicocliException refusedByTheParser) {
            return null;
        }
        if (!parsed.hasSubcommand()) {
            return null;
        }
        ParseResult command = parsed.subcommand();
        String name = command.commandSpec().name();
        if (name.equals("demo")) {
            return "demo";
        }
        if (!name.equals("train")) {
            return null;
        }
        for (String option : OUTPUTS) {
            Path target = command.matchedOptionValue(option, (Path) null);
            if (target != null && !target.toAbsolutePath().normalize().startsWith(folder)) {
                return option + " outside the folder";
            }
        }
        if (command.hasMatchedOption("--from-provenance")) {
            return null; // replays the fixture's short recorded training
        }
        return longTraining(command) ? "a long training" : null;
    }

    /** Whether the training asks for more than {@link #WORK} with widths that fit the heap. */
    private boolean longTraining(ParseResult train) {
        List<Integer> hidden = train.matchedOptionValue("--hidden", List.of(16, 16));
        if (hidden.stream().anyMatch(w -> w <= 0)) {
            return false;
        }
        long steps = train.matchedOptionValue("--steps", 1000L);
        int epochs = train.matchedOptionValue("--epochs", 0);
        int batch = train.matchedOptionValue("--batch-size", 32);
        boolean fullBatch = train.matchedOptionValue("--optimizer", "gd").equalsIgnoreCase("gd") || batch >= examples;
        if (epochs > 0) {
            steps = (long) epochs * (fullBatch || batch <= 0 ? 1 : (examples + batch - 1) / batch);
        }
        TrainingMemory memory = new TrainingMemory(features, hidden, outputs, examples, examples);
        if (memory.bytes() > Runtime.getRuntime().maxMemory()) {
            return false;
        }
        return steps > 0 && (double) steps * examples * memory.weights() > WORK;
    }
}
