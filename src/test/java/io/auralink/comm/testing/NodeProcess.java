package io.auralink.comm.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node in a JVM of its own ({@code Main start} on the tests' class path, configured by environment variables), so
 * that a test can kill it the way a machine dies: {@link #kill} ends the process at once (SIGKILL), without closing
 * anything — no lease given back, no connection closed cleanly, no Hazelcast goodbye. Its output goes to a log file
 * named in failures.
 */
public final class NodeProcess implements AutoCloseable {

  /** What the node's JVM needs for Hazelcast, as the tests' own JVM gets it from the pom. */
  private static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
    "-Dhazelcast.logging.type=slf4j", "-Xmx512m", "-XX:TieredStopAtLevel=1");

  private final Process process;
  private final Path log;

  private NodeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java … io.auralink.comm.Main start} with {@code settings} as its environment and waits until its
   * HTTP listener ({@code AURALINK_HTTP_PORT}) answers {@code /health/ready}.
   */
  public static NodeProcess start(Map<String, String> settings, Duration timeout) {
    try {
      Path log = Files.createTempFile(TestStores.tempDir(), "node-process-", ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_FLAGS);
      // Surefire's class path (possibly a manifest-only jar listing everything) holds the classes and dependencies.
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.auralink.comm.Main", "start"));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(settings);
      NodeProcess node = new NodeProcess(builder.start(), log);
      try {
        node.awaitReady(Integer.parseInt(settings.get("AURALINK_HTTP_PORT")), timeout);
      } catch (RuntimeException e) {
        node.kill();
        throw e;
      }
      return node;
    } catch (IOException e) {
      throw new IllegalStateException("could not start a node process", e);
    }
  }

  private void awaitReady(int port, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
      .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the node process exited with " + process.exitValue() + "; log: " + log);
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      // A test thread polling a child process, never an event loop.
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the node process was not ready within " + timeout + "; log: " + log);
  }

  /** Ends the process at once (SIGKILL) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the node process did not die; log: " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
