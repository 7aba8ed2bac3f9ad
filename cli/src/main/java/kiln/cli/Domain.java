package kiln.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kiln.engine.Generator;

/**
 * The values one hyperparameter may take in a search: a list ({@code 1e-4,3e-4,1e-3}), which grid
 * search enumerates and random search draws from uniformly, or a range that only random search (and
 * successive halving, which draws its candidates the same way) can use: {@code uniform(LOW, HIGH)}, or
 * {@code loguniform(LOW, HIGH)}, uniform in log space, for values whose order of magnitude is the
 * question (learning rate, weight decay). Draws from a range are rounded to three significant digits,
 * so that tables and command lines stay readable and a value printed is the value trained with.
 */
sealed interface Domain {
    Pattern RANGE = Pattern.compile("(log)?uniform\\(([^,()]*),([^,()]*)\\)");

    /** A draw from the domain. */
    double sample(Generator rng);

    /** The values grid search enumerates, in order; a range has none and says so. */
    List<Double> values(Hyperparameter h);

    /** A fixed list of values, without repeats. */
    record Choice(List<Double> values) implements Domain {
        public Choice {
            values = List.copyOf(new LinkedHashSet<>(values));
        }

        @Override
        public double sample(Generator rng) {
            return values.get((int) rng.nextLong(values.size()));
        }

        @Override
        public List<Double> values(Hyperparameter h) {
            return values;
        }

        @Override
        public String toString() {
            return String.join(",", values.stream().map(Hyperparameter::format).toList());
        }
    }

    /** Uniform on [low, high], or uniform in log space when {@code log}. */
    record Range(double low, double high, boolean log) implements Domain {
        @Override
        public double sample(Generator rng) {
            double u = rng.nextDouble();
            double x = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
            // Rounding may step just outside [low, high] when a bound has more than three digits: clamp.
            return Math.clamp(new BigDecimal(x).round(new MathContext(3)).doubleValue(), low, high);
        }

        @Override
        public List<Double> values(Hyperparameter h) {
            throw new IllegalArgumentException("grid search enumerates lists, but " + h.option() + " is " + this
                    + ": give a list, or use --search random or halving");
        }

        @Override
        public String toString() {
            return (log ? "log" : "") + "uniform(" + Hyperparameter.format(low) + ", " + Hyperparameter.format(high) + ")";
        }
    }

    /**
     * Reads the values of {@code h} from {@code text}; {@code label} names where the text came from
     * ({@code --lr}, {@code space.txt:3: lr}) and starts the message of the IllegalArgumentException that
     * refuses a malformed text or a value outside h's range.
     */
    static Domain parse(Hyperparameter h, String text, String label) {
        String compact = text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        Matcher range = RANGE.matcher(compact);
        if (range.matches()) {
            boolean log = range.group(1) != null;
            String kind = log ? "loguniform" : "uniform";
            if (h.integer()) {
                throw new IllegalArgumentException(label + " takes a list of integers (e.g. 64,128,256), not " + kind + "(...)");
            }
            double low = h.parse(range.group(2), label + " " + kind + "'s LOW");
            double high = h.parse(range.group(3), label + " " + kind + "'s HIGH");
            if (!(low < high) || (log && !(low > 0))) {
                throw new IllegalArgumentException(label + " " + kind + "(LOW, HIGH) needs " + (log ? "0 < LOW < HIGH" : "LOW < HIGH")
                        + ", got " + text.strip());
            }
            return new Range(low, high, log);
        }
        if (compact.isEmpty() || compact.contains("(")) {
            throw new IllegalArgumentException(label + " must be a list like 1e-4,3e-4,1e-3 or uniform(LOW, HIGH) or "
                    + "loguniform(LOW, HIGH), got '" + text.strip() + "'");
        }
        List<Double> values = new ArrayList<>();
        for (String item : compact.split(",", -1)) {
            values.add(h.parse(item, label));
        }
        return new Choice(values);
    }
}
