package kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import kiln.nn.io.Json;

/** One in-process run of the command line, as a user would see it: the exit code, stdout and stderr. */
record CommandOutcome(int code, String out, String err) {
    /** Runs {@code kiln args...} through {@link Main#run}. */
    static CommandOutcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandOutcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The JSON object of the last stdout line (what {@code --json} prints). */
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    /** A number of {@link #json()}. */
    double number(String key) {
        return number(json(), key);
    }

    /** A number of a JSON object, as a double. */
    static double number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).doubleValue();
    }
}
