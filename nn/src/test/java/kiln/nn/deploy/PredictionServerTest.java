package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.nn.io.Json;

/** The HTTP contract of POST /predict, GET /health and GET /metrics, refusals included, and a bounded load test on loopback. */
class PredictionServerTest {
    private static final int MAX_BODY = 4096;

    @TempDir
    static Path dir;
    private static MoonsModel.Saved saved;
    private static Predictor predictor;
    private static PredictionServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private record Answer(int status, Map<String, Object> json, HttpResponse<String> response) {}

    @BeforeAll
    static void start() throws IOException {
        saved = MoonsModel.train(dir);
        predictor = Predictor.load(dir);
        server = PredictionServer.start(predictor, new PredictionServer.Settings("127.0.0.1", 0, 4, MAX_BODY));
    }

    @AfterAll
    static void stop() {
        server.stop();
        predictor.close();
    }

    @SuppressWarnings("unchecked")
    private static Answer send(PredictionServer to, String method, String path, BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(to.uri().resolve(path)).method(method, body)
                .header("Content-Type", "application/json").build();
        HttpResponse<String> response = CLIENT.send(request, BodyHandlers.ofString());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null));
        return new Answer(response.statusCode(), (Map<String, Object>) Json.parse(response.body()), response);
    }

    private static Answer post(PredictionServer to, String body) throws Exception {
        return send(to, "POST", "/predict", BodyPublishers.ofString(body));
    }

    private static String inputs(List<List<Object>> rows) {
        return Json.write(Map.of("inputs", rows));
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictAnswersWithTheClassesAndTheProbabilitiesOfThePredictor() throws Exception {
        List<List<Object>> rows = saved.rows(10, 13);
        Prediction direct = predictor.predict(rows);
        Answer answer = post(server, inputs(rows));
        assertEquals(200, answer.status(), answer.json().toString());
        assertEquals(direct.names(), answer.json().get("predictions"));
        List<Object> classes = (List<Object>) answer.json().get("classes");
        List<List<Object>> probabilities = (List<List<Object>>) answer.json().get("probabilities");
        for (int i = 0; i < rows.size(); i++) {
            assertEquals((long) direct.classes()[i], classes.get(i));
            for (int c = 0; c < 2; c++) {
                assertEquals(direct.probabilities()[i][c], (double) probabilities.get(i).get(c), 0, "JSON keeps every bit of a double");
            }
        }
        Answer integers = post(server, "{\"inputs\": [[200, 210]]}");
        assertEquals(200, integers.status(), "integers are numbers too");
    }

    @Test
    void badBodiesAre400WithTheReason() throws Exception {
        Answer malformed = post(server, "{\"inputs\": [[1, 2]");
        assertEquals(400, malformed.status());
        assertEquals("malformed JSON: expected ',' or ']' in an array, found end of input at line 1, column 19 (offset 18)",
                malformed.json().get("error"));

        Answer missing = post(server, "{\"input\": [[1, 2]]}");
        assertEquals(400, missing.status());
        assertEquals("missing \"inputs\"; send {\"inputs\": [[...], ...]} with rows of 2 numbers per row (shape [2])",
                missing.json().get("error"));

        Answer notRows = post(server, "{\"inputs\": [1, 2]}");
        assertEquals(400, notRows.status());
        assertEquals("inputs[0] must be an array of values, got 1", notRows.json().get("error"));

        Answer wrongShape = post(server, "{\"inputs\": [[1, 2], [1, 2, 3]]}");
        assertEquals(400, wrongShape.status());
        assertEquals("inputs[1]: 3 values; expected 2 numbers per row (shape [2])", wrongShape.json().get("error"));

        Answer text = post(server, "{\"inputs\": [[1, \"two\"]]}");
        assertEquals(400, text.status());
        assertEquals("inputs[0]: value 1: \"two\" is not a number", text.json().get("error"));

        Answer empty = post(server, "{\"inputs\": []}");
        assertEquals(400, empty.status());
        assertTrue(((String) empty.json().get("error")).startsWith("\"inputs\" is empty"), empty.json().toString());

        Answer notUtf8 = send(server, "POST", "/predict", BodyPublishers.ofByteArray(new byte[] {'{', (byte) 0xC3, '}'}));
        assertEquals(400, notUtf8.status());
        assertEquals("the body is not UTF-8 text", notUtf8.json().get("error"));
    }

    @Test
    void bodiesOverTheLimitAre413WithOrWithoutContentLength() throws Exception {
        byte[] big = ("{\"inputs\": [" + "[1, 2], ".repeat(700) + "[1, 2]]}").getBytes(StandardCharsets.UTF_8);
        assertTrue(big.length > MAX_BODY);

        Answer declared = send(server, "POST", "/predict", BodyPublishers.ofByteArray(big));
        assertEquals(413, declared.status());
        assertEquals("the body has " + big.length + " bytes; the limit is " + MAX_BODY, declared.json().get("error"));

        // A publisher of unknown length makes the client send the body chunked, with no Content-Length to check first.
        Answer chunked = send(server, "POST", "/predict", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertEquals(413, chunked.status());
        assertEquals("the body is over the limit of " + MAX_BODY + " bytes", chunked.json().get("error"));

        byte[] fits = inputs(saved.rows(0, 20)).getBytes(StandardCharsets.UTF_8);
        Answer smallChunked = send(server, "POST", "/predict", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(fits)));
        assertEquals(200, smallChunked.status(), "a chunked body under the limit is read whole");
        assertEquals(20, ((List<?>) smallChunked.json().get("predictions")).size());
    }

    @Test
    void wrongMethodsAndUnknownPaths() throws Exception {
        Answer getPredict = send(server, "GET", "/predict", BodyPublishers.noBody());
        assertEquals(405, getPredict.status());
        assertEquals("POST", getPredict.response().headers().firstValue("Allow").orElse(null));
        assertEquals("method GET not allowed here; use POST", getPredict.json().get("error"));

        Answer postHealth = send(server, "POST", "/health", BodyPublishers.ofString("{}"));
        assertEquals(405, postHealth.status());
        assertEquals("GET", postHealth.response().headers().firstValue("Allow").orElse(null));

        Answer unknown = send(server, "GET", "/predictions", BodyPublishers.noBody());
        assertEquals(404, unknown.status());
        assertEquals("no such path /predictions (there are POST /predict, GET /health, GET /metrics)", unknown.json().get("error"));
    }

    @Test
    void aPortInUseIsRefusedWithTheAddress() {
        IOException busy = assertThrows(IOException.class, () -> PredictionServer.start(predictor,
                new PredictionServer.Settings("127.0.0.1", server.port(), 1, MAX_BODY)));
        assertTrue(busy.getMessage().startsWith("cannot listen on 127.0.0.1:" + server.port() + " ("), busy.getMessage());
    }

    @Test
    void healthDescribesTheModel() throws Exception {
        Answer health = send(server, "GET", "/health", BodyPublishers.noBody());
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status"));
        assertEquals(MoonsModel.CLASSES, health.json().get("classes"));
        assertEquals(Map.of("type", "numbers", "shape", List.of(2L)), health.json().get("input"));
        assertEquals(saved.file().toString(), health.json().get("model"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aThousandRequestsFromEightClientsAllSucceedAndAreCounted() throws Exception {
        try (PredictionServer loaded = PredictionServer.start(predictor, new PredictionServer.Settings("127.0.0.1", 0, 4, MAX_BODY))) {
            int requests = 1000;
            List<List<List<Object>>> bodies = new ArrayList<>();
            List<Prediction> expected = new ArrayList<>();
            int rows = 0;
            for (int r = 0; r < requests; r++) {
                int from = (r * 13) % 190;
                bodies.add(saved.rows(from, from + 1 + r % 3));
                expected.add(predictor.predict(bodies.get(r)));
                rows += bodies.get(r).size();
            }
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<Answer>> answers = new ArrayList<>();
            try {
                for (List<List<Object>> body : bodies) {
                    answers.add(clients.submit(() -> post(loaded, inputs(body))));
                }
                for (int r = 0; r < requests; r++) {
                    Answer answer = answers.get(r).get();
                    assertEquals(200, answer.status(), "request " + r + ": " + answer.json());
                    assertEquals(expected.get(r).names(), answer.json().get("predictions"), "request " + r);
                    List<List<Object>> probabilities = (List<List<Object>>) answer.json().get("probabilities");
                    assertEquals(expected.get(r).probabilities()[0][0], (double) probabilities.get(0).get(0), 0, "request " + r);
                }
            } finally {
                clients.shutdown();
            }
            Answer metrics = send(loaded, "GET", "/metrics", BodyPublishers.noBody());
            assertEquals(200, metrics.status());
            assertEquals((long) requests, metrics.json().get("requests"));
            assertEquals(0L, metrics.json().get("errors"));
            assertEquals(Map.of("200", (long) requests), metrics.json().get("responses"));
            Map<String, Object> latency = (Map<String, Object>) metrics.json().get("latency_ms");
            assertEquals((long) requests, latency.get("window"));
            double p50 = (double) latency.get("p50");
            double p99 = (double) latency.get("p99");
            assertTrue(0 < p50 && p50 <= p99 && p99 <= (double) latency.get("max"), latency.toString());
            Map<String, Object> predictions = (Map<String, Object>) metrics.json().get("predictions");
            assertEquals((long) rows, predictions.get("total"));
            long upper = 0;
            for (Prediction p : expected) {
                for (int c : p.classes()) {
                    upper += c == 0 ? 1 : 0;
                }
            }
            Map<String, Map<String, Object>> perClass = (Map<String, Map<String, Object>>) predictions.get("classes");
            assertEquals(upper, perClass.get(MoonsModel.CLASSES.get(0)).get("count"));
            assertEquals((double) upper / rows, (double) perClass.get(MoonsModel.CLASSES.get(0)).get("share"), 1e-12);
            assertEquals(requests, loaded.metrics().requests(), "/metrics itself is not counted");

            loaded.stop();
            assertThrows(ConnectException.class, () -> post(loaded, inputs(saved.rows(0, 1))), "a stopped server accepts nothing");
        }
    }
}
