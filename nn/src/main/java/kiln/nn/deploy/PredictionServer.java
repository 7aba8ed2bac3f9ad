package kiln.nn.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.io.Json;

/**
 * A {@link Predictor} behind HTTP, on the JDK's built-in server ({@code com.sun.net.httpserver}):
 *
 * <pre>
 *   POST /predict   {"inputs": [[...], ...]}   one row of raw features per example, as the dataset stores
 *                                              them (Fashion-MNIST: 784 pixel values 0–255)
 *              200  {"predictions": ["Ankle boot", ...], "classes": [9, ...], "probabilities": [[...], ...]}
 *   GET  /health    200  {"status": "ok", "model": ..., "classes": [...], "input": {...}, "uptime_seconds": ...}
 *   GET  /metrics   200  {@link ServerMetrics#toJson()}: requests, errors, latency percentiles, predicted classes
 * </pre>
 *
 * Every answer is JSON. Refusals carry {@code {"error": reason}}: 400 for a body that is not UTF-8 or
 * not JSON, lacks {@code "inputs"}, or holds rows of the wrong width or values that are not numbers (the
 * reason names the row: {@code inputs[3]}); 413 for a body over the limit, checked against
 * Content-Length before reading and counted while reading, so a chunked body cannot slip past it
 * (the connection is then closed); 405 for a wrong method; 404 for an unknown path; 500 for a fault of
 * the server's own.
 *
 * <p>Requests run on a bounded pool of {@code threads} threads with a bounded queue; when both are
 * full, the server's accepting thread runs the request itself and accepts nothing meanwhile, which
 * slows clients down instead of queueing without limit. The predictor is called concurrently (it is
 * safe to), and stays the caller's to close after {@link #stop}.
 */
public final class PredictionServer implements AutoCloseable {
    /** Requests that may wait per thread of the pool before the accepting thread takes them on itself. */
    private static final int QUEUED_PER_THREAD = 16;
    /** How long {@link #stop} lets requests in progress finish. */
    private static final int STOP_GRACE_SECONDS = 2;

    /**
     * How to serve.
     *
     * @param host the address to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)
     * @param port the port; 0 picks a free one ({@link #port()} tells which)
     * @param threads the request threads
     * @param maxBodyBytes the largest request body accepted
     */
    public record Settings(String host, int port, int threads, long maxBodyBytes) {
        /** Bodies up to 4 MiB: about 1,300 Fashion-MNIST images written as JSON. */
        public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;

        public Settings {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("PredictionServer.Settings: host must be an address, got '" + host + "'");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("PredictionServer.Settings: port must be in [0, 65535], got " + port);
            }
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("PredictionServer.Settings: threads must be in [1, 1024], got " + threads);
            }
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("PredictionServer.Settings: maxBodyBytes must be in [1, "
                        + (Integer.MAX_VALUE - 8) + "], got " + maxBodyBytes);
            }
        }

        /** 127.0.0.1, the given port, one thread per core, {@link #DEFAULT_MAX_BODY_BYTES}. */
        public static Settings onPort(int port) {
            return new Settings("127.0.0.1", port, Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_BODY_BYTES);
        }
    }

    /** A request refused: its status, the reason, and headers the status calls for. */
    private static final class Refusal extends Exception {
        final int status;
        final Map<String, String> headers;

        Refusal(int status, String reason, Map<String, String> headers) {
            super(reason, null, false, false);
            this.status = status;
            this.headers = headers;
        }

        Refusal(int status, String reason) {
            this(status, reason, Map.of());
        }
    }

    /** What goes back: a status, a JSON body, extra headers, and the classes predicted (null unless a 200 to /predict). */
    private record Reply(int status, Map<String, Object> body, Map<String, String> headers, int[] predicted) {
        static Reply json(int status, Map<String, Object> body) {
            return new Reply(status, body, Map.of(), null);
        }

        static Reply error(int status, String reason, Map<String, String> headers) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", reason);
            return new Reply(status, body, headers, null);
        }
    }

    private final Predictor predictor;
    private final Settings settings;
    private final ServerMetrics metrics;
    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final long startNanos = System.nanoTime();
    private boolean stopped;

    private PredictionServer(Predictor predictor, Settings settings) throws IOException {
        this.predictor = predictor;
        this.settings = settings;
        this.metrics = new ServerMetrics(predictor.classNames());
        AtomicInteger threadNumber = new AtomicInteger();
        // When every thread is busy and the queue is full, the thread accepting connections handles the request
        // itself: clients are slowed down rather than queued without bound. The price: while it does, reading
        // that request's body included, no new connection is accepted; --threads should cover the expected load.
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_PER_THREAD * settings.threads()), work -> {
                    Thread thread = new Thread(work, "kiln-http-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
    }

    /** Starts serving {@code predictor}; refuses a port in use or an address this machine does not have. */
    public static PredictionServer start(Predictor predictor, Settings settings) throws IOException {
        if (predictor == null || settings == null) {
            throw new IllegalArgumentException("PredictionServer.start: predictor and settings must not be null");
        }
        PredictionServer started;
        try {
            started = new PredictionServer(predictor, settings);
        } catch (BindException e) {
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + " (" + e.getMessage() + ")", e);
        }
        started.server.start();
        return started;
    }

    /** The port listened on (the one picked when the settings asked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The server's root, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();   // an IPv6 literal
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** What the server has done so far (requests, errors, latencies, predicted classes): what {@code GET /metrics} answers. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** The settings the server was started with; {@link #port()} tells the port picked for port 0. */
    public Settings settings() {
        return settings;
    }

    /**
     * Stops accepting, lets requests in progress finish (up to a couple of seconds), and ends the
     * request threads. Idempotent; the predictor stays open.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        server.stop(STOP_GRACE_SECONDS);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        boolean monitoring = path.equals("/health") || path.equals("/metrics");
        Reply reply;
        try {
            reply = route(exchange, path);
        } catch (Refusal refused) {
            reply = Reply.error(refused.status, refused.getMessage(), refused.headers);
        } catch (RuntimeException | IOException fault) {
            // The server's own fault: the client learns that much, the operator's console the details.
            System.err.println("kiln serve: internal error on " + path + ": " + fault);
            reply = Reply.error(500, "internal error (see the server's log)", Map.of());
        }
        // Counted before the reply leaves, so that a client who reads /metrics after its answer sees its request.
        if (!monitoring) {
            metrics.recordResponse(reply.status(), System.nanoTime() - start);
            if (reply.predicted() != null) {
                metrics.recordPredictions(reply.predicted());
            }
        }
        send(exchange, reply);
    }

    private Reply route(HttpExchange exchange, String path) throws Refusal, IOException {
        String method = exchange.getRequestMethod();
        return switch (path) {
            case "/predict" -> {
                requireMethod(method, "POST");
                yield predict(readBody(exchange));
            }
            case "/health" -> {
                requireMethod(method, "GET");
                yield Reply.json(200, health());
            }
            case "/metrics" -> {
                requireMethod(method, "GET");
                yield Reply.json(200, metrics.toJson());
            }
            default -> throw new Refusal(404, "no such path " + path + " (there are POST /predict, GET /health, GET /metrics)");
        };
    }

    private static void requireMethod(String method, String allowed) throws Refusal {
        if (!method.equals(allowed)) {
            throw new Refusal(405, "method " + method + " not allowed here; use " + allowed, Map.of("Allow", allowed));
        }
    }

    /**
     * The body, refused with 413 when Content-Length announces more than the limit or more arrives
     * (a chunked body announces nothing). The rest of a refused body stays unread, so the connection
     * is closed after the reply rather than read on.
     */
    private byte[] readBody(HttpExchange exchange) throws Refusal, IOException {
        long limit = settings.maxBodyBytes();
        Map<String, String> closeConnection = Map.of("Connection", "close");
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && Long.parseLong(declared.strip()) > limit) {     // the server has checked it is a number
            throw new Refusal(413, "the body has " + declared.strip() + " bytes; the limit is " + limit, closeConnection);
        }
        InputStream in = exchange.getRequestBody();
        byte[] body = in.readNBytes((int) limit + 1);
        if (body.length > limit) {
            throw new Refusal(413, "the body is over the limit of " + limit + " bytes", closeConnection);
        }
        return body;
    }

    private Reply predict(byte[] body) throws Refusal {
        List<List<Object>> rows = rows(parse(body));
        Prediction prediction;
        try {
            prediction = predictor.predict(rows);
        } catch (InvalidRowException bad) {
            throw new Refusal(400, bad.row() >= 0 ? "inputs[" + bad.row() + "]: " + bad.problem() : bad.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("predictions", prediction.names());
        List<Integer> classes = new ArrayList<>(prediction.size());
        List<List<Double>> probabilities = new ArrayList<>(prediction.size());
        for (int i = 0; i < prediction.size(); i++) {
            classes.add(prediction.classes()[i]);
            List<Double> row = new ArrayList<>(prediction.probabilities()[i].length);
            for (double p : prediction.probabilities()[i]) {
                row.add(p);
            }
            probabilities.add(row);
        }
        answer.put("classes", classes);
        answer.put("probabilities", probabilities);
        return new Reply(200, answer, Map.of(), prediction.classes());
    }

    /** The body as JSON: strict UTF-8, then strict JSON. */
    private static Object parse(byte[] body) throws Refusal {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(400, "the body is not UTF-8 text");
        }
        try {
            return Json.parse(text);
        } catch (Json.ParseException e) {
            throw new Refusal(400, "malformed JSON: " + e.getMessage());
        }
    }

    /** The rows of {@code {"inputs": [[...], ...]}}, each checked to be an array; the predictor checks what they hold. */
    @SuppressWarnings("unchecked")
    private List<List<Object>> rows(Object json) throws Refusal {
        String expected = "send {\"inputs\": [[...], ...]} with rows of " + predictor.encoder().describe();
        if (!(json instanceof Map<?, ?> object)) {
            throw new Refusal(400, "the body must be a JSON object; " + expected);
        }
        if (!object.containsKey("inputs")) {
            throw new Refusal(400, "missing \"inputs\"; " + expected);
        }
        if (!(object.get("inputs") instanceof List<?> inputs)) {
            throw new Refusal(400, "\"inputs\" must be an array of rows, got " + Json.write(object.get("inputs")) + "; " + expected);
        }
        if (inputs.isEmpty()) {
            throw new Refusal(400, "\"inputs\" is empty; " + expected);
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (!(inputs.get(i) instanceof List<?>)) {
                throw new Refusal(400, "inputs[" + i + "] must be an array of values, got " + abbreviate(Json.write(inputs.get(i))));
            }
        }
        return (List<List<Object>>) inputs;
    }

    private Map<String, Object> health() {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("model", predictor.checkpoint().toString());
        health.put("classes", predictor.classNames());
        health.put("input", predictor.encoder().config());
        health.put("uptime_seconds", (System.nanoTime() - startNanos) / 1e9);
        return health;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** Sends the reply as JSON; a client that has gone away is not an error of ours. */
    private static void send(HttpExchange exchange, Reply reply) {
        byte[] bytes = Json.write(reply.body()).getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException gone) {
            // the connection is closed with the exchange
        }
    }
}
