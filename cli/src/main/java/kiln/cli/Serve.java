package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import kiln.nn.deploy.PredictionServer;
import kiln.nn.deploy.Predictor;

/**
 * {@code kiln serve}: a model saved by {@code kiln train} behind HTTP ({@link PredictionServer}) until
 * the process is interrupted; a shutdown hook stops the server and frees the model.
 */
final class Serve {
    private static final String HELP = """
            usage: kiln serve --model RUN_DIR|FILE --port P [options]

            Serves a model saved by kiln train over HTTP until interrupted (Ctrl-C):
              POST /predict   {"inputs": [[...], ...]}: one row of raw features per example, as the dataset
                              stores them (Fashion-MNIST: 784 pixel values 0-255), answered with
                              {"predictions": [names], "classes": [indices], "probabilities": [[...], ...]}
              GET  /health    the model, its classes and the input it takes
              GET  /metrics   requests, errors, latency percentiles (p50, p90, p99, max), predicted classes
            Bad requests get 400 and {"error": reason}; bodies over --max-body get 413.

              --model PATH        run folder or .safetensors file (required)
              --port P            port to listen on; 0 picks a free one (required)
              --host ADDRESS      address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for all)
              --threads N         request threads (default: all cores)
              --max-body BYTES    largest request body accepted (default %d)""";

    private Serve() {}

    /** A server and the model it serves; closing stops the one and frees the other. */
    record Running(Predictor predictor, PredictionServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.stop();
            predictor.close();
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Running running = start(args, out);
        if (running == null) {
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            err.printf(Locale.ROOT, "kiln serve: stopped after %,d requests%n", running.server().metrics().requests());
            stopped.countDown();
        }, "kiln-serve-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            running.close();
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Parses the options, loads the model and starts serving, printing where; null when help was asked for. */
    static Running start(String[] args, PrintStream out) throws IOException {
        Options o = new Options("serve").value("model").value("port").value("host").value("threads").value("max-body");
        if (!o.parse(args)) {
            out.println(String.format(Locale.ROOT, HELP, PredictionServer.Settings.DEFAULT_MAX_BODY_BYTES));
            return null;
        }
        if (!o.has("model")) {
            throw new Main.UsageException("--model RUN_DIR|FILE is required (try: kiln serve --help)");
        }
        if (!o.has("port")) {
            throw new Main.UsageException("--port P is required (0 picks a free port)");
        }
        PredictionServer.Settings settings = new PredictionServer.Settings(o.string("host", "127.0.0.1"), o.integer("port", 0, 0),
                Train.threads(o),
                o.integer("max-body", (int) PredictionServer.Settings.DEFAULT_MAX_BODY_BYTES, 1));
        Predictor predictor = Predictor.load(o.path("model"));
        PredictionServer server;
        try {
            server = PredictionServer.start(predictor, settings);
        } catch (IOException | RuntimeException e) {
            predictor.close();
            throw e;
        }
        String root = server.uri().toString();
        out.printf(Locale.ROOT, "kiln serve: %s: %d classes; input: %s%n", predictor.checkpoint(), predictor.classNames().size(),
                predictor.encoder().describe());
        out.printf(Locale.ROOT, "listening on %s (%d threads, bodies up to %,d bytes)%n", root, settings.threads(), settings.maxBodyBytes());
        out.println("  POST " + root + "predict   {\"inputs\": [[...], ...]}");
        out.println("  GET  " + root + "health");
        out.println("  GET  " + root + "metrics");
        out.println("Ctrl-C stops it.");
        out.flush();
        return new Running(predictor, server);
    }
}
