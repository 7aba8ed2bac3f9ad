package kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import kiln.nn.io.Json;

/** What one in-process run of the command line gave: its exit code, stdout and stderr. */
record CommandOutcome(int code, String out, String err) {

    /** Runs {@code kiln ARGS} through {@link Main#run}, capturing both streams. */
    static CommandOutcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandOutcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The last line of stdout, which {@code --json} makes one JSON object. */
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    /** A number of a JSON object, as a double. */
    static double number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).doubleValue();
    }
}
