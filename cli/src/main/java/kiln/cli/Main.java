package kiln.cli;

import java.io.PrintStream;
import java.util.Arrays;

import kiln.nn.train.NonFiniteLossException;

/**
 * The {@code kiln} command line: {@code train}, {@code eval}, {@code tune}, {@code predict}, {@code serve}, {@code data} and {@code demo}.
 * Exit codes: 0 success, 2 bad usage or bad input (with a one-line reason), 1 anything else.
 */
public final class Main {
    private static final String USAGE = """
            usage: kiln <verb> [options]

            verbs:
              train    train a model (Fashion-MNIST, a CSV file, synthetic data) into a run folder
              eval     evaluate a saved model on its test set
              tune     search learning rate, batch, width, weight decay and dropout; retrain the best
              predict  predict the classes of new examples (IDX images, a PNG, a CSV file) with a saved model
              serve    serve a saved model over HTTP: POST /predict, GET /health, GET /metrics
              data     inspect a CSV file before training: missing values, duplicates, class balance, ranges
              demo     a short tour: tensors, views, ops, reductions, a matmul, memory scopes
              test     run the whole test suite (handled by the ./kiln launcher)
              bench    run the JMH benchmarks and write bench/RESULTS.md (handled by the launcher)

            every verb takes --help.""";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(USAGE);
            return 0;
        }
        String verb = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (verb) {
                case "train" -> Train.run(rest, out, err);
                case "eval" -> Eval.run(rest, out, err);
                case "tune" -> Tune.run(rest, out, err);
                case "predict" -> Predict.run(rest, out, err);
                case "serve" -> Serve.run(rest, out, err);
                case "data" -> DataCommand.run(rest, out, err);
                case "demo" -> Demo.run(rest, out);
                default -> {
                    err.println("kiln: unknown verb '" + verb + "' (try: kiln --help)");
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("kiln " + verb + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException | IllegalArgumentException e) {      // a missing or bad file, a bad value
            err.println("kiln " + verb + ": " + e.getMessage());
            return 2;
        } catch (NonFiniteLossException e) {       // an outcome of training, not a fault: its message says where and what to try
            err.println("kiln " + verb + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("kiln " + verb + ": " + e + (System.getenv("KILN_TRACE") == null ? " (KILN_TRACE=1 shows where)" : ""));
            if (System.getenv("KILN_TRACE") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** Bad usage or bad input: reported in one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
