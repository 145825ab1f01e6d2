package io.auralink.comm.cli;

import io.auralink.comm.api.auth.TokenMinter;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.auralink.comm.platform.config.Durations;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.platform.storage.PrivateFiles;
import io.auralink.comm.platform.storage.Migrations;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line: {@code start}, {@code start-dev}, {@code migrate}, {@code token} and
 * {@code matrix-registration}. Commands return an exit
 * code (0 done, 1 failed at run time, 2 bad usage or configuration) and write their errors as one clear line.
 */
public final class Cli {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  static final String USAGE_TEXT = """
    usage: auralink-comm <command>
      start        run a node against the configured PostgreSQL, Redis and JWT keys (production)
      start-dev    run a node with embedded PostgreSQL and Redis under AURALINK_DATA_DIR (development)
      migrate      apply schema/ to AURALINK_DATABASE_URL and exit
      token        mint a JWT: --service NAME [--scope S]... | --user @name.aura, [--ttl 1h]
      matrix-registration  print the Matrix Application Service registration (YAML) for the homeserver
    configuration: AURALINK_* environment variables, optionally over a properties file named by AURALINK_CONFIG_FILE""";

  private final Map<String, String> environment;
  private final PrintStream out;
  private final PrintStream err;

  public Cli(Map<String, String> environment, PrintStream out, PrintStream err) {
    this.environment = environment;
    this.out = out;
    this.err = err;
  }

  /** Runs a command that ends by itself ({@code migrate}, {@code token}) or reports why a node did not start. */
  public int run(String[] args) {
    if (args.length == 0) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    try {
      return switch (args[0]) {
        case "start", "start-dev" -> {
          RunningNode node = launch(args[0]);
          Runtime.getRuntime().addShutdownHook(new Thread(node::close, "auralink-shutdown"));
          yield OK;
        }
        case "migrate" -> migrate();
        case "matrix-registration" -> matrixRegistration();
        case "token" -> token(List.of(args).subList(1, args.length));
        case "help", "--help", "-h" -> {
          out.println(USAGE_TEXT);
          yield OK;
        }
        default -> {
          err.println("unknown command '" + args[0] + "'\n" + USAGE_TEXT);
          yield USAGE;
        }
      };
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("configuration error: " + e.getMessage());
      return USAGE;
    } catch (RuntimeException e) {
      err.println(args[0] + " failed: " + describe(e));
      return FAILED;
    }
  }

  /** Starts a node ({@code start} or {@code start-dev}) and returns it running; the caller owns its shutdown. */
  public RunningNode launch(String command) {
    boolean dev = "start-dev".equals(command);
    Logging.configure(environment, dev);
    Settings settings = Settings.load(environment);
    Optional<EmbeddedStores> stores = Optional.empty();
    if (dev) {
      DevEnvironment devEnvironment = DevEnvironment.prepare(settings);
      settings = devEnvironment.settings();
      stores = Optional.of(devEnvironment.stores());
    }
    try {
      AppConfig config = AppConfig.from(settings);
      if (!dev) {
        warnIfPlaintext(config);
      }
      Node node = Blocking.await(Node.start(config), Duration.ofMinutes(5));
      return new RunningNode(node, stores);
    } catch (RuntimeException e) {
      stores.ifPresent(EmbeddedStores::close);
      throw e;
    }
  }

  /**
   * A production node may run plain behind a TLS-terminating proxy and a private network, so plaintext is allowed,
   * but never silently.
   */
  private static void warnIfPlaintext(AppConfig config) {
    Logger log = LoggerFactory.getLogger(Cli.class);
    if (config.transport().http().isEmpty()) {
      log.warn("the API listener is plain HTTP: set AURALINK_HTTP_TLS_CERT and AURALINK_HTTP_TLS_KEY unless a "
        + "TLS-terminating proxy on a private network is the only way in");
    }
    if (config.transport().cluster().isEmpty()) {
      log.warn("the event bus between members is plain and unauthenticated: set AURALINK_CLUSTER_TLS_CERT, "
        + "AURALINK_CLUSTER_TLS_KEY and AURALINK_CLUSTER_TLS_CA");
    }
  }

  private int migrate() {
    Logging.configure(environment, false);
    AppConfig.Database database = AppConfig.Database.from(Settings.load(environment));
    Migrations.Outcome outcome = Migrations.applyBlocking(database);
    out.println("applied " + outcome.applied() + " migration(s); schema version " + outcome.version()
      + " at " + AppConfig.redact(database.url()));
    return OK;
  }

  private int matrixRegistration() {
    Logging.configure(environment, true);
    Settings settings = Settings.load(environment);
    // After start-dev generated the Application Service tokens, the registration uses them.
    if (settings.optional(AppConfig.Matrix.AS_TOKEN).isEmpty() && settings.optional(AppConfig.Matrix.HS_TOKEN).isEmpty()) {
      Optional<Map<String, String>> dev = DevMatrixTokens.read(AppConfig.Node.dataDir(settings));
      if (dev.isPresent()) {
        settings = settings.with(dev.get());
      }
    }
    out.print(MatrixRegistration.yaml(AppConfig.Matrix.from(settings), AppConfig.MatrixBridge.from(settings),
      settings.optional(Transport.MATRIX_AS_CERT).isPresent()));
    return OK;
  }

  private int token(List<String> args) {
    Logging.configure(environment, true);
    String service = null;
    String user = null;
    List<String> scopes = new ArrayList<>();
    Duration ttl = Duration.ofHours(1);
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args.get(++i);
      switch (flag) {
        case "--service" -> service = value;
        case "--user" -> user = value;
        case "--scope" -> scopes.add(value);
        case "--ttl" -> ttl = Durations.parse(value);
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if ((service == null) == (user == null)) {
      throw new IllegalArgumentException("token needs exactly one of --service NAME or --user @name.aura");
    }
    if (user != null && !scopes.isEmpty()) {
      throw new IllegalArgumentException("user tokens carry no scopes; they act as their AuraID");
    }
    if (ttl.isZero()) {
      throw new IllegalArgumentException("--ttl must be positive");
    }
    Settings settings = Settings.load(environment);
    if (settings.optional(AppConfig.Jwt.SECRET).isEmpty()) {
      // Same fallback as start-dev: the development secret under the data directory.
      Optional<String> devSecret = DevSecret.read(AppConfig.Node.dataDir(settings));
      if (devSecret.isPresent()) {
        settings = settings.with(Map.of(AppConfig.Jwt.SECRET, devSecret.get()));
      }
    }
    AppConfig.Jwt jwt = AppConfig.Jwt.from(settings);
    Vertx vertx = Vertx.vertx();
    try {
      TokenMinter minter = new TokenMinter(vertx, jwt);
      String token = service != null ? minter.service(service, scopes, ttl) : minter.user(user, ttl);
      out.println("# " + (service != null ? "service " + service + " scopes " + scopes : "user " + user)
        + ", expires " + Instant.now().plus(ttl) + ", issuer " + jwt.issuer() + ", audience " + jwt.audience());
      out.println(token);
      return OK;
    } finally {
      vertx.close();
    }
  }

  private static String describe(Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
        message.append(": ").append(cause.getMessage());
      }
    }
    return message.toString();
  }

  /** start-dev's embedded stores, development secret and private cluster name, layered over the settings. */
  private record DevEnvironment(Settings settings, EmbeddedStores stores) {

    static DevEnvironment prepare(Settings settings) {
      Logger log = LoggerFactory.getLogger(Cli.class);
      Path dataDir = AppConfig.Node.dataDir(settings);
      // One event per line: the console format escapes line breaks inside a message.
      log.warn("************************************************************************");
      log.warn("*  start-dev: EMBEDDED PostgreSQL and Redis, data under {}", dataDir);
      log.warn("*  for development only; production runs `start` with external stores");
      log.warn("************************************************************************");
      try {
        // Everything under it is private: the stores' data and the development secrets.
        PrivateFiles.directory(dataDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
      }
      EmbeddedStores stores = EmbeddedStores.start(dataDir);
      Map<String, String> overrides = new HashMap<>();
      overrides.put(AppConfig.Database.URL, stores.databaseUrl());
      overrides.put(AppConfig.Redis.URL, stores.redisUrl());
      overrides.put(AppConfig.Node.EMBEDDED_STORAGE, "true");
      if (settings.optional(AppConfig.Jwt.SECRET).isEmpty() && settings.optional(AppConfig.Jwt.PUBLIC_KEYS).isEmpty()) {
        overrides.put(AppConfig.Jwt.SECRET, DevSecret.loadOrCreate(dataDir));
      }
      if (settings.optional(AppConfig.Matrix.AS_TOKEN).isEmpty() && settings.optional(AppConfig.Matrix.HS_TOKEN).isEmpty()) {
        overrides.putAll(DevMatrixTokens.loadOrCreate(dataDir));
      }
      if (settings.optional(AppConfig.Verification.CODE_KEY).isEmpty()) {
        overrides.put(AppConfig.Verification.CODE_KEY, DevSecret.loadOrCreate(dataDir, DevSecret.VERIFICATION_FILE));
      }
      if (settings.optional(AppConfig.DataProtection.KEYS).isEmpty()) {
        overrides.putAll(DevDataKeys.loadOrCreate(dataDir));
      }
      Map<String, String> tls = DevCertificates.settings(settings, dataDir);
      overrides.putAll(tls);
      if (!tls.isEmpty()) {
        log.info("start-dev serves TLS with its own CA; clients trust it, e.g. {}",
          DevCertificates.howToConnect(settings, dataDir));
      }
      if (settings.optional(AppConfig.Cluster.NAME).isEmpty()) {
        // A development node has its own database: it must never join another developer node's cluster.
        overrides.put(AppConfig.Cluster.NAME, "auralink-dev-" + Integer.toHexString(dataDir.toString().hashCode()));
      }
      log.info("embedded stores running {} {}", stores.databaseUrl(), stores.redisUrl());
      return new DevEnvironment(settings.with(overrides), stores);
    }
  }
}
