package dev.invariance.cli;

import org.junit.jupiter.api.Test;

import static dev.invariance.cli.CliRun.invariance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reproduce} without the examples module on the class path (as in this module's tests): one line saying to
 * build it, exit 2. The reproductions themselves run in the examples module's tests, through the same command.
 */
class ReproduceCommandTest {
    @Test
    void withoutTheExamplesModuleItSaysToBuildItAndExitsTwo() {
        CliRun.Result r = invariance("reproduce", "E1", "--quick");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("invariance reproduce: error: no reproduction found on the class path: build the examples module "
                + "(mvn -B -q package -DskipTests), whose examples/target/examples.jar bin/invariance then adds\n",
                r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }
}
