package io.auralink.comm;

import io.auralink.comm.cli.Cli;

/** Entry point of {@code auralink-comm.jar}; see {@link Cli} for the commands. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    // Hazelcast and the event bus bind IPv4 interfaces; set before any networking class initialises.
    System.setProperty("java.net.preferIPv4Stack", "true");
    int code = new Cli(System.getenv(), System.out, System.err).run(args);
    boolean serving = code == Cli.OK && args.length > 0 && args[0].startsWith("start");
    if (!serving) {
      System.exit(code);
    }
  }
}
