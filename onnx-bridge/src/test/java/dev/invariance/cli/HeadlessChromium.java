package dev.invariance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven through its DevTools protocol (a WebSocket on the loopback interface, spoken with
 * the JDK's own client): loads a page, records every error the browser reports (console errors, uncaught exceptions,
 * the browser's own log: a resource refused by the page's Content-Security-Policy or not found), measures the page's
 * images and takes a screenshot. One browser per instance, in a private profile folder; {@link #close} ends it.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch loaded = new CountDownLatch(1);

    /** What a loaded page showed: the errors reported while it loaded and each image's sizes. */
    record Page(List<String> errors, List<Image> images) {
    }

    /**
     * One {@code <img>}: the id of its {@code <figure>}, whether it decoded, its natural size and its laid-out size in
     * CSS pixels.
     */
    record Image(String figure, boolean complete, int naturalWidth, int naturalHeight, double width, double height) {
    }

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The browser binary: {@code $CHROMIUM}, else {@code chromium} or {@code chromium-browser} on the PATH; or null. */
    static @Nullable Path find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Starts the browser headless with a fresh profile in {@code profile} and connects to it. */
    static HeadlessChromium start(Path binary, Path profile) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=1300,900", "about:blank"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add(1, "--no-sandbox"); // Chromium refuses to run as root with its sandbox
        }
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String url = devToolsUrl(p);
        HeadlessChromium[] self = new HeadlessChromium[1];
        CountDownLatch ready = new CountDownLatch(1);
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String message = text.toString();
                            text.setLength(0);
                            try {
                                ready.await();
                                self[0].onMessage(JSON.readTree(message));
                            } catch (IOException | InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(p, ws);
        ready.countDown();
        return self[0];
    }

    /** Reads the browser's standard error until it names its DevTools WebSocket. */
    private static String devToolsUrl(Process p) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (String line = err.readLine(); line != null && System.nanoTime() < deadline; line = err.readLine()) {
            int at = line.indexOf("ws://");
            if (line.startsWith("DevTools listening on") && at >= 0) {
                Thread drain = new Thread(() -> {
                    try {
                        while (err.readLine() != null) {
                            // keep the pipe flowing
                        }
                    } catch (IOException ignored) {
                        // the browser ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return line.substring(at).strip();
            }
        }
        p.destroyForcibly();
        throw new IOException("Chromium did not open its DevTools port");
    }

    private void onMessage(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> reply = replies.remove(m.get("id").asInt());
            if (reply != null) {
                reply.complete(m);
            }
            return;
        }
        String method = m.path("method").asText();
        JsonNode params = m.path("params");
        switch (method) {
            case "Page.loadEventFired" -> loaded.countDown();
            case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails"));
            case "Runtime.consoleAPICalled" -> {
                if (params.path("type").asText().equals("error")) {
                    errors.add("console.error: " + params.path("args"));
                }
            }
            case "Log.entryAdded" -> {
                JsonNode entry = params.path("entry");
                if (!entry.path("level").asText().equals("verbose") && !entry.path("level").asText().equals("info")) {
                    errors.add("log " + entry.path("level").asText() + ": " + entry.path("text").asText());
                }
            }
            default -> {
            }
        }
    }

    private JsonNode call(@Nullable String session, String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        if (session != null) {
            message.put("sessionId", session);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.path("result");
    }

    /**
     * Opens {@code html} in a new tab, waits for its load event, and returns the errors reported and its images; with
     * {@code screenshot} also writes a PNG of the whole page there.
     */
    Page load(Path html, @Nullable Path screenshot) throws Exception {
        errors.clear();
        loaded = new CountDownLatch(1);
        String target = call(null, "Target.createTarget", JSON.createObjectNode().put("url", "about:blank"))
                .path("targetId").asText();
        String session = call(null, "Target.attachToTarget", JSON.createObjectNode().put("targetId", target)
                .put("flatten", true)).path("sessionId").asText();
        for (String domain : List.of("Page", "Runtime", "Log")) {
            call(session, domain + ".enable", JSON.createObjectNode());
        }
        call(session, "Page.navigate", JSON.createObjectNode().put("url", html.toUri().toString()));
        if (!loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(html + ": no load event within " + TIMEOUT);
        }
        String expression = "JSON.stringify(Array.from(document.images).map(i => ({figure: i.closest('figure') ?"
                + " i.closest('figure').id : '', complete: i.complete, naturalWidth: i.naturalWidth,"
                + " naturalHeight: i.naturalHeight, width: i.getBoundingClientRect().width,"
                + " height: i.getBoundingClientRect().height})))";
        JsonNode value = call(session, "Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true)).path("result").path("value");
        List<Image> images = new ArrayList<>();
        for (JsonNode i : JSON.readTree(value.asText())) {
            images.add(new Image(i.path("figure").asText(), i.path("complete").asBoolean(),
                    i.path("naturalWidth").asInt(), i.path("naturalHeight").asInt(), i.path("width").asDouble(),
                    i.path("height").asDouble()));
        }
        if (screenshot != null) {
            String png = call(session, "Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
                    .put("captureBeyondViewport", true)).path("data").asText();
            Files.write(screenshot, Base64.getDecoder().decode(png));
        }
        Thread.sleep(200); // messages the browser sent with the load event
        List<String> seen = List.copyOf(errors);
        call(null, "Target.closeTarget", JSON.createObjectNode().put("targetId", target));
        return new Page(seen, images);
    }

    /**
     * Ends the browser and every process it started (renderers, the GPU and utility processes, the crash handler),
     * and waits for them, so that none still writes to the profile folder when the test deletes it.
     */
    @Override
    public void close() {
        try {
            socket.abort();
        } finally {
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            all.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (ProcessHandle h : all) {
                try {
                    long left = Math.max(1, deadline - System.nanoTime());
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    h.destroyForcibly();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    h.destroyForcibly();
                }
            }
        }
    }
}
