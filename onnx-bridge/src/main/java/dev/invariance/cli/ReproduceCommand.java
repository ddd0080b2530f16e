package dev.invariance.cli;

import dev.invariance.evaluation.internal.TerminalText;
import dev.invariance.reproduction.Check;
import dev.invariance.reproduction.Reproduction;
import dev.invariance.reproduction.ReproductionBudget;
import dev.invariance.reproduction.ReproductionRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code invariance reproduce [E1..E5|all] [--out DIR] [--quick]}: runs the papers' reproductions found on the class
 * path ({@link ServiceLoader} of {@link Reproduction}; {@code bin/invariance} adds the examples module's jar when it
 * is built), prints one line per acceptance check and, per reproduction, its time and where its files are. Exit 0
 * when every asserted check passed, 1 when one failed, 2 for an unknown id or when no reproduction is found.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the reproductions of the papers (science.md section 3): train, analyse, print every "
                + "acceptance check as PASS/FAIL with its figures, write the figures (PNG, SVG) and an HTML report per "
                + "experiment. Exit 0 when every asserted check passes, 1 otherwise.")
final class ReproduceCommand implements Callable<Integer> {

    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", defaultValue = "all",
            description = "The experiment: E1 to E5, or all (default).")
    private String which = "all";

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reproductions",
            description = "The folder for the files; each experiment writes into DIR/<id>/ (default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("reproductions");

    @Option(names = "--quick", description = "The budgets of science.md (seconds to a minute each) instead of the "
            + "papers' sizes.")
    private boolean quick;

    @Override
    public Integer call() {
        List<Reproduction> chosen = choose(available());
        checkFolder(out);
        PrintWriter o = spec.commandLine().getOut();
        ReproductionBudget budget = quick ? ReproductionBudget.QUICK : ReproductionBudget.FULL;
        boolean failed = false;
        for (Reproduction r : chosen) {
            o.printf("%s %s (%s), %s budget%n", r.id(), r.title(), r.paper(), budget.name().toLowerCase(Locale.ROOT));
            o.flush();
            Path dir = out.resolve(r.id());
            ReproductionRun run = r.run(budget, dir);
            for (Check c : run.checks()) {
                o.println(TerminalText.escape(c.line()));
                if (c.verdict().isFailure()) {
                    o.println("  " + TerminalText.escape(c.summary()));
                }
            }
            o.printf(Locale.ROOT, "%s: %s in %.1f s; figures and report in %s (%s)%n", r.id(),
                    run.passed() ? "passed" : "FAILED", run.seconds(), dir, run.report().getFileName());
            o.flush();
            failed |= !run.passed();
        }
        return failed ? InvarianceCommand.FAILED : 0;
    }

    /** The reproductions on the class path, by id. */
    static List<Reproduction> available() {
        List<Reproduction> found = new ArrayList<>();
        ServiceLoader.load(Reproduction.class).forEach(found::add);
        found.sort(Comparator.comparing(Reproduction::id));
        return found;
    }

    private List<Reproduction> choose(List<Reproduction> found) {
        if (found.isEmpty()) {
            throw new BadInputException("no reproduction found on the class path: build the examples module "
                    + "(mvn -B -q package -DskipTests), whose examples/target/examples.jar bin/invariance then adds");
        }
        if (which.equalsIgnoreCase("all")) {
            return found;
        }
        List<String> ids = new ArrayList<>();
        for (Reproduction r : found) {
            if (r.id().equalsIgnoreCase(which)) {
                return List.of(r);
            }
            ids.add(r.id());
        }
        throw new BadInputException("unknown reproduction '" + which + "': the known ids are " + String.join(", ", ids)
                + " and all");
    }

    private static void checkFolder(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": --out names a file, expected a folder");
        }
        OutputFiles.checkWritableFolder(dir, dir);
    }
}
