package io.paretopipe.reports.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One page of a headless Chromium driven over the Chrome DevTools Protocol (a WebSocket to the
 * browser, one flattened session to the page): records every request the page makes, every console
 * message, log entry and uncaught exception, and lets a test move the mouse and evaluate
 * JavaScript. Owns the browser process; {@link #close} kills it.
 */
final class DevToolsPage implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;

  private final Process browser;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> console = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> loaded = new CompletableFuture<>();
  private String session;

  private DevToolsPage(Process browser, WebSocket.Builder builder, URI ws)
      throws InterruptedException, IOException {
    this.browser = browser;
    try {
      this.socket = builder.buildAsync(ws, new Listener()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("cannot connect to Chromium's DevTools at " + ws, e);
    }
  }

  /**
   * Starts Chromium, opens {@code page} in a window of the given size and waits for its load event.
   */
  static DevToolsPage open(Path chromium, Path profile, Path page, int width, int height)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height,
                "about:blank")
            .redirectErrorStream(true)
            .start();
    DevToolsPage d = null;
    boolean opened = false;
    try {
      URI ws = devToolsUri(p);
      d = new DevToolsPage(p, HttpClient.newHttpClient().newWebSocketBuilder(), ws);
      String target =
          d.call(null, "Target.createTarget", JSON.createObjectNode().put("url", "about:blank"))
              .get("targetId")
              .asText();
      d.session =
          d.call(
                  null,
                  "Target.attachToTarget",
                  JSON.createObjectNode().put("targetId", target).put("flatten", true))
              .get("sessionId")
              .asText();
      for (String domain : List.of("Network", "Runtime", "Log", "Page")) {
        d.call(d.session, domain + ".enable", JSON.createObjectNode());
      }
      d.call(
          d.session,
          "Emulation.setDeviceMetricsOverride",
          JSON.createObjectNode()
              .put("width", width)
              .put("height", height)
              .put("deviceScaleFactor", 1)
              .put("mobile", false));
      d.call(
          d.session,
          "Page.navigate",
          JSON.createObjectNode().put("url", page.toAbsolutePath().toUri().toString()));
      d.loaded.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      opened = true;
      return d;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("page " + page + " did not load within " + TIMEOUT_SECONDS + " s", e);
    } finally {
      if (!opened) {
        if (d != null) {
          d.close();
        } else {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Reads Chromium's output until it names its DevTools WebSocket. */
  private static URI devToolsUri(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = out.readLine()) != null) {
      int at = line.indexOf("ws://");
      if (line.startsWith("DevTools listening on") && at >= 0) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // keep the pipe empty
                    }
                  } catch (IOException ignored) {
                    // the browser is gone
                  }
                },
                "chromium-output");
        drain.setDaemon(true);
        drain.start();
        return URI.create(line.substring(at).trim());
      }
      seen.add(line);
    }
    throw new IOException("chromium exited without a DevTools address: " + seen);
  }

  /** The URL of every request the page made, in order. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  /** Console messages, log entries and uncaught exceptions, as {@code level: text}. */
  List<String> console() {
    return List.copyOf(console);
  }

  /**
   * Evaluates {@code expression} in the page (promises awaited).
   *
   * @return its value, as JSON
   * @throws IOException when it threw
   */
  JsonNode evaluate(String expression) throws IOException {
    JsonNode r =
        call(
            session,
            "Runtime.evaluate",
            JSON.createObjectNode()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IOException("page threw: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Moves the mouse to (x, y), CSS pixels of the viewport. */
  void moveMouse(double x, double y) throws IOException {
    call(
        session,
        "Input.dispatchMouseEvent",
        JSON.createObjectNode().put("type", "mouseMoved").put("x", x).put("y", y));
  }

  /** A PNG screenshot of the viewport. */
  byte[] screenshot() throws IOException {
    String data =
        call(session, "Page.captureScreenshot", JSON.createObjectNode().put("format", "png"))
            .get("data")
            .asText();
    return java.util.Base64.getDecoder().decode(data);
  }

  private JsonNode call(String sessionId, String method, ObjectNode params) throws IOException {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      socket
          .sendText(JSON.writeValueAsString(message), true)
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      JsonNode r = reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IOException(method + " failed: " + r.get("error"));
      }
      return r.path("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(method + " interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException(method + " got no reply within " + TIMEOUT_SECONDS + " s", e);
    } finally {
      pending.remove(id);
    }
  }

  private void event(JsonNode m) {
    String method = m.path("method").asText();
    JsonNode p = m.path("params");
    switch (method) {
      case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
      case "Runtime.consoleAPICalled" -> {
        List<String> args = new ArrayList<>();
        p.path("args")
            .forEach(a -> args.add(a.path("value").asText(a.path("description").asText())));
        console.add(p.path("type").asText() + ": " + String.join(" ", args));
      }
      case "Runtime.exceptionThrown" ->
          console.add(
              "exception: "
                  + p.path("exceptionDetails")
                      .path("exception")
                      .path("description")
                      .asText(p.path("exceptionDetails").path("text").asText()));
      case "Log.entryAdded" ->
          console.add(
              p.path("entry").path("level").asText()
                  + ": "
                  + p.path("entry").path("text").asText());
      case "Page.loadEventFired" -> loaded.complete(null);
      default -> {
        // not recorded
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(m.get("id").asInt());
            if (f != null) {
              f.complete(m);
            }
          } else {
            event(m);
          }
        } catch (IOException e) {
          console.add("test: unreadable DevTools message: " + e.getMessage());
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  /**
   * Asks the browser to quit (so it removes its own temporary files), then kills it if it is still
   * running after 10 s.
   */
  @Override
  public void close() {
    try {
      socket.sendText(
          JSON.createObjectNode()
              .put("id", ids.incrementAndGet())
              .put("method", "Browser.close")
              .toString(),
          true);
      browser.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      socket.abort();
      browser.destroyForcibly();
      try {
        browser.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
