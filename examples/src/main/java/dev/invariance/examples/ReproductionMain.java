package dev.invariance.examples;

import dev.invariance.reproduction.Check;
import dev.invariance.reproduction.Reproduction;
import dev.invariance.reproduction.ReproductionBudget;
import dev.invariance.reproduction.ReproductionRun;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code main} of every reproduction: {@code [--full] [OUT_DIR]} runs it (science.md's quick budgets unless
 * {@code --full}), writes its files into {@code OUT_DIR/<id>/} (default {@code reproductions}), prints one line per
 * check and exits 1 when an asserted check failed. {@code bin/invariance reproduce} does the same for several.
 */
public final class ReproductionMain {
    private ReproductionMain() {
    }

    /** Runs {@code reproduction} as its command line {@code args} say and exits with its status. */
    public static void main(Reproduction reproduction, String[] args) {
        boolean full = false;
        Path out = Path.of("reproductions");
        for (String a : args) {
            if (a.equals("--full")) {
                full = true;
            } else {
                out = Path.of(a);
            }
        }
        ReproductionRun run = reproduction.run(full ? ReproductionBudget.FULL : ReproductionBudget.QUICK,
                out.resolve(reproduction.id()));
        System.out.println(reproduction.id() + " " + reproduction.title() + " (" + reproduction.paper() + ")");
        for (Check c : run.checks()) {
            System.out.println(c.line());
            System.out.println("  " + c.summary());
        }
        System.out.printf(Locale.ROOT, "%s in %.1f s; report %s%n", run.passed() ? "passed" : "FAILED", run.seconds(),
                run.report());
        System.exit(run.passed() ? 0 : 1);
    }
}
