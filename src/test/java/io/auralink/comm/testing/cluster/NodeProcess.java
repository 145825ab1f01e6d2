package io.auralink.comm.testing.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One cluster member as a JVM of its own running {@code auralink-comm start}, the production command, so that it
 * can be killed ({@code kill -9}), frozen ({@code SIGSTOP}) and resumed like a real one. It runs the packaged jar
 * when the build names it ({@code -Dauralink.faults.jar}, set by the end-to-end execution after {@code package}),
 * otherwise the compiled classes on this test JVM's class path. Its output goes to a log file per start.
 */
public final class NodeProcess implements AutoCloseable {

  /** What Hazelcast needs opened on JDK 17 (the jar's manifest opens the same for {@code java -jar}). */
  private static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
    "-Dhazelcast.logging.type=slf4j", "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final String name;
  private final int httpPort;
  private final Map<String, String> environment;
  private final Path logDir;
  private int starts;
  private Process process;

  public NodeProcess(String name, int httpPort, Map<String, String> environment, Path logDir) {
    this.name = name;
    this.httpPort = httpPort;
    this.environment = environment;
    this.logDir = logDir;
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public synchronized void start() {
    if (alive()) {
      throw new IllegalStateException(name + " is running already");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(classPath());
    command.add("io.auralink.comm.Main");
    command.add("start");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(logDir.resolve(name + "-" + (++starts) + ".log").toFile());
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(logDir);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    return process.pid();
  }

  /** Waits until the member answers 200 on {@code /health/ready}; answers how long that took. */
  public Duration awaitReady(Duration within) {
    long start = System.nanoTime();
    while (!ProcessCluster.ready(this)) {
      if (!alive()) {
        throw new AssertionError(this + " exited while starting; see its log under " + logDir);
      }
      if (System.nanoTime() - start > within.toNanos()) {
        throw new AssertionError(this + " not ready within " + within + "; see its log under " + logDir);
      }
      ProcessCluster.pause(50);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** {@code kill -9}: no shutdown hook runs, the cluster learns of it only from missing heartbeats. */
  public void kill() {
    Process running;
    synchronized (this) {
      running = process;
    }
    if (running != null) {
      running.destroyForcibly();
      waitFor(running);
    }
  }

  /** {@code SIGTERM}: the node's graceful shutdown. */
  public void stop() {
    Process running;
    synchronized (this) {
      running = process;
    }
    if (running != null && running.isAlive()) {
      resume(); // a frozen process would never handle SIGTERM
      running.destroy();
      try {
        if (!running.waitFor(45, TimeUnit.SECONDS)) {
          running.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.destroyForcibly();
      }
      waitFor(running);
    }
  }

  /** {@code SIGSTOP}: the process stops running but keeps its sockets, like a member stuck in a long pause. */
  public void freeze() {
    signal("STOP");
  }

  /** {@code SIGCONT}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(Process process) {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The packaged jar when the build names it, else this JVM's class path (main and test classes, dependencies). */
  static String classPath() {
    String jar = System.getProperty("auralink.faults.jar");
    if (jar != null && !jar.isBlank()) {
      if (!new File(jar).isFile()) {
        throw new IllegalStateException("auralink.faults.jar names " + jar + ", which does not exist: run mvn package");
      }
      return jar;
    }
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  /** Killed, as the tests that start one expect of a member they leave behind. */
  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return name + " (http " + httpPort + ")";
  }
}
