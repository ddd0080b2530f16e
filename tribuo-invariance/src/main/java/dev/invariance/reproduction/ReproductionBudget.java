package dev.invariance.reproduction;

/** How much computing a reproduction spends. */
public enum ReproductionBudget {
    /** The budgets of science.md section 3 (steps, sizes, seeds): seconds to a minute each; the tests' choice. */
    QUICK,
    /** The papers' sizes where they fit a laptop (longer runs, more seeds): minutes. */
    FULL
}
