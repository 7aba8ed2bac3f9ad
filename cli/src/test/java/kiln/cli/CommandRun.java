package kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import kiln.nn.io.Json;

/** One in-process run of the {@code kiln} command line, as tests make it: exit code, stdout, stderr. */
record CommandRun(int code, String out, String err) {

    static CommandRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The JSON object on the last line of stdout (what {@code --json} prints). */
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    /** A number of {@link #json()}. */
    double number(String key) {
        return ((Number) json().get(key)).doubleValue();
    }
}
