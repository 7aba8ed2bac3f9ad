package kiln.cli;

import java.io.IOException;

/** Trains one candidate recipe (for the epochs it names) and scores it: what a search strategy calls for each trial. */
@FunctionalInterface
interface TrialRunner {
    /** The trial of candidate {@code id} trained as {@code recipe} says. */
    Trial run(int id, Recipe recipe) throws IOException;
}
