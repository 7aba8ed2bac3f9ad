package kiln.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one verb: {@code --name value}, {@code --name=value} and bare flags, declared up front
 * so that a misspelt option is an error naming the verb's help, not silently ignored. Typed getters
 * refuse bad values with a message naming the option and the value.
 */
final class Options {
    private final String verb;
    private final Map<String, Boolean> takesValue = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private int maxPositionals;

    Options(String verb) {
        this.verb = verb;
    }

    /** Declares {@code --name VALUE}. */
    Options value(String name) {
        takesValue.put(name, true);
        return this;
    }

    /** Declares a flag {@code --name} without a value. */
    Options flag(String name) {
        takesValue.put(name, false);
        return this;
    }

    /** Accepts up to {@code max} arguments that are not options (input files, say), in any place among the options. */
    Options positionals(int max) {
        maxPositionals = max;
        return this;
    }

    /** Reads {@code args}; returns false when help was asked for. */
    boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return false;
            }
            if (!arg.startsWith("--") && positionals.size() < maxPositionals) {
                positionals.add(arg);
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new Main.UsageException("unexpected argument '" + arg + "' (try: kiln " + verb + " --help)");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Boolean needsValue = takesValue.get(name);
            if (needsValue == null) {
                throw new Main.UsageException("unknown option '--" + name + "' (try: kiln " + verb + " --help)");
            }
            if (!needsValue) {
                if (inline != null) {
                    throw new Main.UsageException("--" + name + " takes no value");
                }
                values.put(name, "true");
            } else if (inline != null) {
                values.put(name, inline);
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new Main.UsageException("--" + name + " needs a value");
            }
        }
        return true;
    }

    /** The arguments that are not options, in order. */
    List<String> positionals() {
        return List.copyOf(positionals);
    }

    /**
     * These options as if {@code names} had not been given: {@code kiln tune} reads the values it searches
     * (lists like {@code --lr 1e-4,1e-3}) itself, and everything else as {@code kiln train} does.
     */
    Options without(Collection<String> names) {
        Options copy = new Options(verb);
        copy.takesValue.putAll(takesValue);
        copy.values.putAll(values);
        copy.values.keySet().removeAll(names);
        copy.maxPositionals = maxPositionals;
        copy.positionals.addAll(positionals);
        return copy;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    Path path(String name) {
        String v = values.get(name);
        return v == null ? null : Path.of(v);
    }

    int integer(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(v);
            if (parsed < min) {
                throw new Main.UsageException("--" + name + " must be at least " + min + ", got " + v);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    long longValue(String name, long fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    /** A number in [min, max]. */
    double number(String name, double fallback, double min, double max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be a number, got '" + v + "'");
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new Main.UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return parsed;
    }
}
