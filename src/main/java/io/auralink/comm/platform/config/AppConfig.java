package io.auralink.comm.platform.config;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node's configuration, one typed section per subsystem, built once at start from {@link Settings}.
 * Every key and default is listed in the README's configuration table.
 */
public record AppConfig(Node node, Http http, Database database, Redis redis, Cluster cluster, Jwt jwt,
                        Identity identity, Matrix matrix, Trust trust, Mesh mesh, LiveKit liveKit, Call call,
                        ElementCall elementCall, MatrixBridge matrixBridge, Presence presence,
                        Notification notification, Verification verification, RateLimits rateLimits,
                        Transport transport, DataProtection data) {

  private static final String P = Settings.PREFIX;

  /** The full configuration of a running node: storage and keys are required, never defaulted. */
  public static AppConfig from(Settings s) {
    return new AppConfig(Node.from(s), Http.from(s), Database.from(s), Redis.from(s), Cluster.from(s), Jwt.from(s),
      Identity.from(s), Matrix.from(s), Trust.from(s), Mesh.from(s), LiveKit.from(s), Call.from(s),
      ElementCall.from(s), MatrixBridge.from(s), Presence.from(s), Notification.from(s), Verification.from(s),
      RateLimits.from(s),
      Transport.from(s), DataProtection.from(s));
  }

  /** Where the node keeps local files, which roles it runs, and whether its stores are embedded (start-dev). */
  public record Node(Path dataDir, Set<Role> roles, boolean embeddedStorage, Duration blockedThreadWarning,
                     int domainInstances, Duration eventBusTimeout, int eventLoops) {
    public static final String DATA_DIR = P + "DATA_DIR";
    public static final String ROLES = P + "ROLES";
    /** Set by start-dev only; reported by /health. */
    public static final String EMBEDDED_STORAGE = P + "EMBEDDED_STORAGE";

    static Node from(Settings s) {
      return new Node(dataDir(s), Role.parse(ROLES, s.list(ROLES, List.of("all"))), s.bool(EMBEDDED_STORAGE, false),
        s.duration(P + "BLOCKED_THREAD_WARNING", Duration.ofSeconds(2)),
        s.integer(P + "DOMAIN_INSTANCES", Runtime.getRuntime().availableProcessors(), 1, 256),
        s.duration(P + "EVENT_BUS_TIMEOUT", Duration.ofSeconds(10)),
        // One loop per core, and (by default) one api and one domain instance on each: see LoopAddresses.
        s.integer(P + "EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 1024));
    }

    public static Path dataDir(Settings s) {
      return Path.of(s.string(DATA_DIR, "./data")).toAbsolutePath().normalize();
    }
  }

  /**
   * The HTTP API's listener and limits. {@code docs} mounts the rendered reference at {@code /docs}: on by default
   * with embedded storage (start-dev), off otherwise.
   */
  public record Http(String host, int port, int instances, long maxBodyBytes, Duration requestTimeout,
                     List<String> corsOrigins, Duration shutdownGrace, boolean docs) {
    public static final String PORT = P + "HTTP_PORT";
    public static final String DOCS = P + "HTTP_DOCS";

    static Http from(Settings s) {
      int cores = Runtime.getRuntime().availableProcessors();
      return new Http(
        s.string(P + "HTTP_HOST", "0.0.0.0"),
        s.integer(PORT, 8001, 0, 65535),
        s.integer(P + "HTTP_INSTANCES", cores, 1, 256),
        s.bytes(P + "HTTP_MAX_BODY_BYTES", 1024 * 1024),
        s.duration(P + "HTTP_REQUEST_TIMEOUT", Duration.ofSeconds(30)),
        s.list(P + "CORS_ORIGINS", List.of()),
        s.duration(P + "HTTP_SHUTDOWN_GRACE", Duration.ofSeconds(20)),
        s.bool(DOCS, s.bool(Node.EMBEDDED_STORAGE, false)));
    }
  }

  /**
   * The edge's request limits, cluster-wide in Redis: a quota per principal kind (user, service, and per client address
   * without a token), per-operation overrides ({@code operationId[.user|.service|.anonymous]=<quota>|off}, merged
   * over the built-in exemptions of health, metrics and the providers' webhooks), and what happens while Redis cannot
   * answer: admit ({@code open}) or refuse with 503 ({@code closed}).
   */
  public record RateLimits(Quota user, Quota service, Quota anonymous, Map<String, Optional<Quota>> operations,
                           boolean failOpen) {
    public static final String USER = P + "RATE_LIMIT_USER";
    public static final String SERVICE = P + "RATE_LIMIT_SERVICE";
    public static final String ANONYMOUS = P + "RATE_LIMIT_ANONYMOUS";
    public static final String OPERATIONS = P + "RATE_LIMIT_OPERATIONS";
    public static final String ON_REDIS_FAILURE = P + "RATE_LIMIT_ON_REDIS_FAILURE";
    /** Open without a limit: probes, scrapes, and providers' callbacks that authenticate by signature. */
    public static final List<String> EXEMPT = List.of("healthLive", "healthReady", "healthDetails", "metrics",
      "twilioStatusCallback", "stripeIdentityWebhook", "livenessWebhook", "liveKitWebhook");
    private static final java.util.regex.Pattern OVERRIDE =
      java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9_]*)(\\.(user|service|anonymous))?$");

    public static RateLimits from(Settings s) {
      String onFailure = s.string(ON_REDIS_FAILURE, "open");
      if (!onFailure.equals("open") && !onFailure.equals("closed")) {
        throw new ConfigException(ON_REDIS_FAILURE, "must be open or closed, got " + onFailure);
      }
      Map<String, Optional<Quota>> operations = new java.util.LinkedHashMap<>();
      EXEMPT.forEach(id -> operations.put(id, Optional.empty()));
      for (String entry : s.list(OPERATIONS, List.of())) {
        int eq = entry.indexOf('=');
        String name = eq < 0 ? "" : entry.substring(0, eq).trim();
        if (!OVERRIDE.matcher(name).matches()) {
          throw new ConfigException(OPERATIONS, "entries are operationId[.user|.service|.anonymous]=<quota>|off "
            + "(e.g. registerAuraId=20/1m, fileReport.user=5/1h shadow, echo=off), got " + entry);
        }
        String quota = entry.substring(eq + 1).trim();
        operations.put(name, quota.equals("off") ? Optional.empty() : Optional.of(Quota.parse(OPERATIONS, quota)));
      }
      return new RateLimits(
        Quota.parse(USER, s.string(USER, "100/1m")),
        Quota.parse(SERVICE, s.string(SERVICE, "1000/1m")),
        Quota.parse(ANONYMOUS, s.string(ANONYMOUS, "60/1m")),
        java.util.Collections.unmodifiableMap(operations),
        onFailure.equals("open"));
    }
  }

  /**
   * PostgreSQL through the Vert.x Pg Client; the URL form is {@code postgresql://user:password@host:port/database}.
   * With {@code ?sslmode=require}, {@code verify-ca} or {@code verify-full} the connection is TLS and the server's
   * certificate chain is always verified, against {@code caFile} ({@code AURALINK_DATABASE_CA_FILE}) or else the
   * JDK's CA store; {@code verify-full} also checks the host name. (Unlike libpq, {@code require} does not accept an
   * unverified server.)
   */
  public record Database(String url, int poolSize, int maxWaitQueue, Duration connectTimeout, Duration idleTimeout,
                         int pipeliningLimit, Optional<Path> caFile) {
    public static final String URL = P + "DATABASE_URL";

    public static Database from(Settings s) {
      String url = s.required(URL, "(postgresql://user:password@host:5432/database); start-dev runs an embedded one");
      try {
        PgConnectOptions.fromUri(url);
      } catch (RuntimeException e) {
        throw new ConfigException(URL, "is not a PostgreSQL URL: " + e.getMessage());
      }
      return new Database(url,
        s.integer(P + "DATABASE_POOL_SIZE", 16, 1, 1000),
        s.integer(P + "DATABASE_MAX_WAIT_QUEUE", 1024, 1, 1_000_000),
        s.duration(P + "DATABASE_CONNECT_TIMEOUT", Duration.ofSeconds(5)),
        s.duration(P + "DATABASE_IDLE_TIMEOUT", Duration.ofMinutes(5)),
        s.integer(P + "DATABASE_PIPELINING_LIMIT", 256, 1, 4096),
        s.optional(Transport.DATABASE_CA).map(f -> Transport.readable(Transport.DATABASE_CA, f)));
    }

    public PgConnectOptions connectOptions() {
      PgConnectOptions options = PgConnectOptions.fromUri(url)
        .setPipeliningLimit(pipeliningLimit)
        .setReconnectAttempts(0);
      if (options.getSslMode() != SslMode.DISABLE) {
        ClientSSLOptions tls = new ClientSSLOptions()
          .setHostnameVerificationAlgorithm(options.getSslMode() == SslMode.VERIFY_FULL ? "HTTPS" : null);
        caFile.ifPresent(ca -> tls.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        options.setSslOptions(tls);
      }
      return options;
    }

    /** The JDBC URL's TLS parameters (for migrations), with the same verification as {@link #connectOptions}. */
    public String jdbcTlsParameters() {
      SslMode mode = PgConnectOptions.fromUri(url).getSslMode();
      if (mode == SslMode.DISABLE || mode == SslMode.ALLOW || mode == SslMode.PREFER) {
        return "sslmode=" + mode.value;
      }
      String verified = "sslmode=" + (mode == SslMode.VERIFY_FULL ? "verify-full" : "verify-ca");
      return verified + caFile.map(ca -> "&sslrootcert=" + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8))
        .orElse("&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory");
    }
  }

  /**
   * Redis through the Vert.x Redis client; the URL form is {@code redis://[:password@]host:port[/db]}, or
   * {@code rediss://…} for TLS, the server's certificate and host name verified against {@code caFile}
   * ({@code AURALINK_REDIS_CA_FILE}) or else the JDK's CA store.
   */
  public record Redis(String url, int poolSize, int maxWaiting, Duration commandTimeout, Optional<Path> caFile) {
    public static final String URL = P + "REDIS_URL";

    public static Redis from(Settings s) {
      String url = s.required(URL, "(redis://host:6379); start-dev runs an embedded one");
      if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
        throw new ConfigException(URL, "must start with redis:// or rediss://");
      }
      return new Redis(url,
        s.integer(P + "REDIS_POOL_SIZE", 16, 1, 1000),
        s.integer(P + "REDIS_MAX_WAITING", 2048, 1, 1_000_000),
        s.duration(P + "REDIS_COMMAND_TIMEOUT", Duration.ofSeconds(2)),
        s.optional(Transport.REDIS_CA).map(f -> Transport.readable(Transport.REDIS_CA, f)));
    }
  }

  /**
   * Hazelcast membership: TCP-IP join with the listed members, bound to one interface. The defaults form a
   * single-node cluster on 127.0.0.1 that needs nothing else running. {@code minimumMembers} is the smallest
   * cluster this node counts as the cluster rather than a partitioned minority of it: by default a majority of the
   * listed members, so two sides of a split can never both be ready.
   */
  public record Cluster(String name, List<String> members, String host, int port, Optional<Path> configFile,
                        int minimumMembers) {
    public static final String NAME = P + "CLUSTER_NAME";
    public static final String MIN_MEMBERS = P + "CLUSTER_MIN_MEMBERS";

    static Cluster from(Settings s) {
      String host = s.string(P + "CLUSTER_HOST", "127.0.0.1");
      List<String> members = s.list(P + "CLUSTER_MEMBERS", List.of(host));
      return new Cluster(
        s.string(NAME, "auralink"),
        members,
        host,
        s.integer(P + "CLUSTER_PORT", 5701, 1, 65535),
        s.optional(P + "CLUSTER_CONFIG").map(Path::of),
        s.integer(MIN_MEMBERS, members.size() / 2 + 1, 1, 1000));
    }
  }

  /**
   * Token verification keys and claims. At least one key is required: a key-less JWTAuth would accept unsigned
   * tokens. The signing key (HS256 secret or a PKCS#8 private key) is only needed to mint tokens.
   */
  public record Jwt(Optional<String> secret, List<Path> publicKeyFiles, Optional<Path> signingKeyFile,
                    String issuer, String audience, List<String> algorithms, Duration clockSkew,
                    Duration maxUserTokenLifetime, Duration maxServiceTokenLifetime) {
    public static final String SECRET = P + "JWT_SECRET";
    public static final String PUBLIC_KEYS = P + "JWT_PUBLIC_KEYS";
    public static final String MAX_USER_TOKEN_LIFETIME = P + "JWT_MAX_USER_TOKEN_LIFETIME";
    public static final String MAX_SERVICE_TOKEN_LIFETIME = P + "JWT_MAX_SERVICE_TOKEN_LIFETIME";

    /** The longest lifetime a token of this kind may claim ({@code exp} after {@code iat}, or after now). */
    public Duration maxTokenLifetime(boolean service) {
      return service ? maxServiceTokenLifetime : maxUserTokenLifetime;
    }
    public static final List<String> SUPPORTED_ALGORITHMS = List.of("HS256", "RS256", "ES256");

    public static Jwt from(Settings s) {
      Optional<String> secret = s.optional(SECRET);
      if (secret.isPresent() && secret.get().length() < 32) {
        throw new ConfigException(SECRET, "must be at least 32 characters (256 bits) for HS256");
      }
      List<Path> publicKeys = s.list(PUBLIC_KEYS, List.of()).stream().map(Path::of).toList();
      if (secret.isEmpty() && publicKeys.isEmpty()) {
        throw new ConfigException(SECRET, "or " + PUBLIC_KEYS + " is required: the node refuses to run without "
          + "token verification keys");
      }
      List<String> algorithms = s.list(P + "JWT_ALGORITHMS", SUPPORTED_ALGORITHMS);
      for (String alg : algorithms) {
        if (!SUPPORTED_ALGORITHMS.contains(alg)) {
          throw new ConfigException(P + "JWT_ALGORITHMS", "may only list " + SUPPORTED_ALGORITHMS + ", got " + alg);
        }
      }
      return new Jwt(secret, publicKeys, s.optional(P + "JWT_SIGNING_KEY").map(Path::of),
        s.string(P + "JWT_ISSUER", "auralink"),
        s.string(P + "JWT_AUDIENCE", "auralink-comm"),
        algorithms,
        s.duration(P + "JWT_CLOCK_SKEW", Duration.ofSeconds(30)),
        positive(s, MAX_USER_TOKEN_LIFETIME, Duration.ofHours(24)),
        positive(s, MAX_SERVICE_TOKEN_LIFETIME, Duration.ofDays(30)));
    }

    private static Duration positive(Settings s, String key, Duration fallback) {
      Duration value = s.duration(key, fallback);
      if (value.isZero() || value.isNegative()) {
        throw new ConfigException(key, "must be positive");
      }
      return value;
    }
  }

  /** AuraID registry: resolution cache lifetime and reserved usernames beyond the shipped list. */
  public record Identity(Duration cacheTtl, List<String> extraReservedUsernames) {
    static Identity from(Settings s) {
      return new Identity(
        s.duration(P + "IDENTITY_CACHE_TTL", Duration.ofMinutes(10)),
        s.list(P + "IDENTITY_RESERVED_USERNAMES", List.of()));
    }
  }

  /**
   * The Matrix side. Every AuraID maps to {@code @<username>_aura:<serverName>}. With a homeserver URL and an
   * {@code as_token}, registration provisions that user as a Matrix Application Service; without, mappings are
   * stored as not yet provisioned. The registration YAML ({@code matrix-registration}) is built from these too.
   */
  public record Matrix(String serverName, Optional<String> homeserverUrl, Optional<String> asToken,
                       Optional<String> hsToken, String asId, String senderLocalpart, Optional<String> asUrl,
                       Duration requestTimeout, Duration retryInterval, Duration maxBackoff) {
    public static final String HOMESERVER_URL = P + "MATRIX_HOMESERVER_URL";
    public static final String AS_TOKEN = P + "MATRIX_AS_TOKEN";
    public static final String HS_TOKEN = P + "MATRIX_HS_TOKEN";

    public static Matrix from(Settings s) {
      Optional<String> homeserver = s.optional(HOMESERVER_URL).map(url -> url.replaceAll("/+$", ""));
      Optional<String> asToken = s.optional(AS_TOKEN);
      if (homeserver.isPresent() && asToken.isEmpty()) {
        throw new ConfigException(AS_TOKEN, "is required when " + HOMESERVER_URL + " is set");
      }
      homeserver.ifPresent(url -> {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
          throw new ConfigException(HOMESERVER_URL, "must be an http:// or https:// URL, got " + url);
        }
      });
      return new Matrix(
        s.string(P + "MATRIX_SERVER_NAME", "auralink.network"),
        homeserver, asToken, s.optional(HS_TOKEN),
        s.string(P + "MATRIX_AS_ID", "auralink"),
        s.string(P + "MATRIX_SENDER_LOCALPART", "auralink-bot"),
        s.optional(P + "MATRIX_AS_URL"),
        s.duration(P + "MATRIX_REQUEST_TIMEOUT", Duration.ofSeconds(10)),
        s.duration(P + "MATRIX_RETRY_INTERVAL", Duration.ofSeconds(5)),
        s.duration(P + "MATRIX_MAX_BACKOFF", Duration.ofHours(1)));
    }

    public boolean provisioningEnabled() {
      return homeserverUrl.isPresent();
    }
  }

  /**
   * The Matrix bridge (Application Service edge): its own listener for the homeserver's transactions ({@code host},
   * {@code port}; it listens only when {@link Matrix#hsToken} is set), the largest transaction body it accepts, and its
   * durable intake: events claimed per sweep, the lease a claim holds before another member may take it over, how
   * often each member looks for due events besides the nudge after each transaction, how many attempts an event gets
   * before it is set aside as failed, how long processed events are kept (replays within that time change nothing),
   * how long the answers of user queries are cached, and after how long without any transaction a member warns while
   * Matrix calls are live.
   */
  public record MatrixBridge(String host, int port, long maxBodyBytes, int claimBatch, Duration lease,
                             Duration pollInterval, int maxAttempts, Duration retention, Duration userCacheTtl,
                             Duration silenceWarning) {
    public static final String PORT = P + "MATRIX_AS_PORT";
    public static final String HOST = P + "MATRIX_AS_HOST";

    public static MatrixBridge from(Settings s) {
      Duration lease = s.duration(P + "MATRIX_INTAKE_LEASE", Duration.ofSeconds(30));
      if (lease.toMillis() < 1000) {
        throw new ConfigException(P + "MATRIX_INTAKE_LEASE", "must be at least 1s");
      }
      Duration poll = s.duration(P + "MATRIX_INTAKE_POLL_INTERVAL", Duration.ofSeconds(1));
      if (poll.toMillis() < 20) {
        throw new ConfigException(P + "MATRIX_INTAKE_POLL_INTERVAL", "must be at least 20ms");
      }
      return new MatrixBridge(
        s.string(HOST, "0.0.0.0"),
        s.integer(PORT, 8009, 0, 65535),
        s.bytes(P + "MATRIX_AS_MAX_BODY_BYTES", 16L * 1024 * 1024),
        s.integer(P + "MATRIX_INTAKE_BATCH", 32, 1, 1000),
        lease, poll,
        s.integer(P + "MATRIX_INTAKE_MAX_ATTEMPTS", 8, 1, 1000),
        s.duration(P + "MATRIX_INTAKE_RETENTION", Duration.ofDays(7)),
        s.duration(P + "MATRIX_USER_CACHE_TTL", Duration.ofMinutes(5)),
        s.duration(P + "MATRIX_SILENCE_WARNING", Duration.ofMinutes(10)));
    }

    /** The listener's URL as seen from this machine (a wildcard host becomes the loopback address). */
    public String localUrl() {
      return localUrl(false);
    }

    /** The same over TLS ({@code https}) when the listener has a certificate. */
    public String localUrl(boolean tls) {
      String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      return (tls ? "https://" : "http://") + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":" + port;
    }
  }

  /**
   * The LiveKit media servers behind central routes. All of URL, API key and secret, or none: without them calls
   * still get their central route and a room name, but no LiveKit tokens or rooms. {@code regionUrls} optionally
   * names one LiveKit per mesh region ({@code region=url}); a region without its own uses {@code url}. Join tokens
   * live {@code tokenTtl}; their {@code nbf} is backdated by {@code clockSkew} so that a server whose clock runs a
   * little behind ours still accepts them.
   */
  public record LiveKit(Optional<String> url, Optional<String> apiKey, Optional<String> apiSecret,
                        Map<String, String> regionUrls, Duration tokenTtl, Duration clockSkew) {
    public static final String URL = P + "LIVEKIT_URL";
    public static final String API_KEY = P + "LIVEKIT_API_KEY";
    public static final String API_SECRET = P + "LIVEKIT_API_SECRET";
    public static final String REGIONS = P + "LIVEKIT_REGIONS";

    static LiveKit from(Settings s) {
      Optional<String> url = s.optional(URL).map(u -> u.replaceAll("/+$", ""));
      Optional<String> key = s.optional(API_KEY);
      Optional<String> secret = s.optional(API_SECRET);
      if (url.isPresent() || key.isPresent() || secret.isPresent()) {
        for (Map.Entry<String, Optional<String>> part : Map.of(URL, url, API_KEY, key, API_SECRET, secret).entrySet()) {
          if (part.getValue().isEmpty()) {
            throw new ConfigException(part.getKey(), "is required when any of " + URL + ", " + API_KEY + ", "
              + API_SECRET + " is set");
          }
        }
        checkUrl(URL, url.get());
      }
      Map<String, String> regions = new LinkedHashMap<>();
      for (String entry : s.list(REGIONS, List.of())) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || url.isEmpty()) {
          throw new ConfigException(REGIONS, url.isEmpty() ? "needs " + URL + " and its key and secret"
            : "entries are region=url, got " + entry);
        }
        regions.put(entry.substring(0, eq).trim(), checkUrl(REGIONS, entry.substring(eq + 1).trim()));
      }
      return new LiveKit(url, key, secret, Map.copyOf(regions),
        s.duration(P + "LIVEKIT_TOKEN_TTL", Duration.ofMinutes(10)),
        s.duration(P + "LIVEKIT_CLOCK_SKEW", Duration.ofSeconds(10)));
    }

    private static String checkUrl(String key, String url) {
      if (!url.matches("^(wss?|https?)://.+")) {
        throw new ConfigException(key, "must be a ws://, wss://, http:// or https:// URL, got " + url);
      }
      return url.replaceAll("/+$", "");
    }

    public boolean configured() {
      return url.isPresent();
    }

    /** Where clients of a room in {@code region} connect: the region's own LiveKit, else the default one. */
    public Optional<String> urlFor(String region) {
      return Optional.ofNullable(regionUrls.get(region)).or(() -> url);
    }
  }

  /**
   * Element Call's token exchange ({@code /sfu/get}, {@code /get_token}): which homeservers' OpenID tokens are accepted
   * and where each is reached ({@code homeservers}: server name → base URL; no federation discovery, so only these
   * are asked), which of them are allowed, which have full access (their users may have LiveKit rooms created, the
   * others may only join existing ones), the browser origins CORS admits, and how long a homeserver may take to
   * answer the OpenID check. By default the node's own homeserver ({@link Matrix}) is the one configured, allowed and
   * full-access server; {@code *} in the allowed or full-access list means every configured homeserver.
   */
  public record ElementCall(Map<String, String> homeservers, Set<String> allowedServers, Set<String> fullAccessServers,
                            List<String> corsOrigins, Duration openIdTimeout) {
    public static final String HOMESERVERS = P + "ELEMENT_CALL_HOMESERVERS";
    public static final String ALLOWED_SERVERS = P + "ELEMENT_CALL_ALLOWED_SERVERS";
    public static final String FULL_ACCESS_SERVERS = P + "ELEMENT_CALL_FULL_ACCESS_SERVERS";
    public static final String CORS_ORIGINS = P + "ELEMENT_CALL_CORS_ORIGINS";

    static ElementCall from(Settings s) {
      Matrix own = Matrix.from(s);
      Map<String, String> homeservers = new LinkedHashMap<>();
      if (s.optional(HOMESERVERS).isPresent()) {
        for (String entry : s.list(HOMESERVERS, List.of())) {
          int eq = entry.indexOf('=');
          String url = eq < 0 ? "" : entry.substring(eq + 1).trim().replaceAll("/+$", "");
          if (eq <= 0 || !url.matches("^https?://.+")) {
            throw new ConfigException(HOMESERVERS, "entries are server_name=http(s)://base-url, got " + entry);
          }
          homeservers.put(entry.substring(0, eq).trim(), url);
        }
      } else {
        own.homeserverUrl().ifPresent(url -> homeservers.put(own.serverName(), url));
      }
      Set<String> allowed = servers(s, ALLOWED_SERVERS, List.of("*"), homeservers.keySet(), homeservers.keySet());
      Set<String> fullAccess = servers(s, FULL_ACCESS_SERVERS,
        allowed.contains(own.serverName()) ? List.of(own.serverName()) : List.of(), allowed, homeservers.keySet());
      return new ElementCall(Map.copyOf(homeservers), allowed, fullAccess, s.list(CORS_ORIGINS, List.of("*")),
        s.duration(P + "ELEMENT_CALL_OPENID_TIMEOUT", Duration.ofSeconds(5)));
    }

    /** A server list, {@code *} standing for {@code all}; every named server must be a configured homeserver. */
    private static Set<String> servers(Settings s, String key, List<String> defaults, Set<String> all,
                                       Set<String> configured) {
      List<String> names = s.list(key, defaults);
      if (names.equals(List.of("*"))) {
        return Set.copyOf(all);
      }
      for (String name : names) {
        if (!configured.contains(name)) {
          throw new ConfigException(key, "names " + name + ", which is not in " + HOMESERVERS
            + " (server_name=base-url): only configured homeservers are asked to verify OpenID tokens");
        }
      }
      return Set.copyOf(names);
    }

    /** Whether OpenID tokens of {@code serverName} are accepted at all. */
    public boolean allows(String serverName) {
      return allowedServers.contains(serverName);
    }

    /** Whether users of {@code serverName} may have LiveKit rooms created (else they only join existing ones). */
    public boolean fullAccess(String serverName) {
      return allowedServers.contains(serverName) && fullAccessServers.contains(serverName);
    }

    /** Whether any homeserver's users can use the exchange. */
    public boolean enabled() {
      return !allowedServers.isEmpty();
    }
  }

  /**
   * Calls: how long a call rings unless its invite asks for less or more (never beyond {@code maxRingTime}), how
   * often each member sweeps the calls whose ring deadline passed (any member ends any call: the deadline is in
   * PostgreSQL), how long a LiveKit room stays open with nobody in it, the page-size limit of call history, and the
   * most callees one invite rings.
   */
  public record Call(Duration ringTime, Duration maxRingTime, Duration sweepInterval, Duration roomEmptyTimeout,
                     int historyPageLimit, int maxCallees) {
    public static final String RING_TIME = P + "CALL_RING_TIME";
    public static final String MAX_RING_TIME = P + "CALL_MAX_RING_TIME";

    static Call from(Settings s) {
      Duration ring = s.duration(RING_TIME, Duration.ofSeconds(30));
      Duration max = s.duration(MAX_RING_TIME, Duration.ofSeconds(120));
      if (ring.toMillis() < 1000 || ring.compareTo(max) > 0) {
        throw new ConfigException(RING_TIME, "must be at least 1s and at most " + MAX_RING_TIME + " (" + max + ")");
      }
      if (max.toSeconds() > 3600) {
        throw new ConfigException(MAX_RING_TIME, "must be at most 1h");
      }
      Duration sweep = s.duration(P + "CALL_SWEEP_INTERVAL", Duration.ofSeconds(1));
      if (sweep.toMillis() < 50) {
        throw new ConfigException(P + "CALL_SWEEP_INTERVAL", "must be at least 50ms");
      }
      return new Call(ring, max, sweep,
        s.duration(P + "CALL_ROOM_EMPTY_TIMEOUT", Duration.ofMinutes(5)),
        s.integer(P + "CALL_HISTORY_PAGE_LIMIT", 100, 1, 1000),
        s.integer(P + "CALL_MAX_CALLEES", 8, 1, 100));
    }
  }

  /**
   * Trust and moderation: how often AuraIDs whose trust the registry has not acknowledged are pushed again; the
   * federation policy (whether a homeserver met for the first time is allowed and recorded or refused, and the
   * request limit per minute a server gets unless an administrator sets another); and the report rules: reports one
   * reporter may file per hour, the account age below which a reporter weighs nothing and the age from which it
   * weighs fully, and the combined reporter weight automatic suspension needs.
   */
  public record Trust(Duration identitySyncInterval, boolean allowUnknownServers, int serverRequestsPerMinute,
                      int reportsPerHour, Duration reporterMinimumAge, Duration reporterFullWeightAge,
                      double suspensionWeight) {
    public static final String FEDERATION_UNKNOWN = P + "TRUST_FEDERATION_UNKNOWN";
    public static final String REPORTER_FULL_WEIGHT_AGE = P + "TRUST_REPORTER_FULL_WEIGHT_AGE";

    static Trust from(Settings s) {
      String unknown = s.string(FEDERATION_UNKNOWN, "allow");
      if (!unknown.equals("allow") && !unknown.equals("deny")) {
        throw new ConfigException(FEDERATION_UNKNOWN, "must be allow or deny, got " + unknown);
      }
      Duration minimumAge = s.duration(P + "TRUST_REPORTER_MIN_AGE", Duration.ofDays(7));
      Duration fullWeightAge = s.duration(REPORTER_FULL_WEIGHT_AGE, Duration.ofDays(30));
      if (fullWeightAge.compareTo(minimumAge) < 0 || fullWeightAge.isZero()) {
        throw new ConfigException(REPORTER_FULL_WEIGHT_AGE,
          "must be positive and at least AURALINK_TRUST_REPORTER_MIN_AGE (" + minimumAge + "), got " + fullWeightAge);
      }
      return new Trust(
        s.duration(P + "TRUST_SYNC_INTERVAL", Duration.ofSeconds(5)),
        unknown.equals("allow"),
        s.integer(P + "TRUST_FEDERATION_REQUESTS_PER_MINUTE", 600, 1, 1_000_000),
        s.integer(P + "TRUST_REPORTS_PER_HOUR", 10, 1, 10_000),
        minimumAge, fullWeightAge,
        s.decimal(P + "TRUST_SUSPENSION_WEIGHT", 2.0, 1.0, 100.0));
    }
  }

  /**
   * Mesh routing: heartbeat cadence and the silence after which a node goes offline, how often beats are flushed
   * to the cluster and nodes swept, route search limits, the media-server regions for central routes
   * ({@code name:latitude:longitude}, comma separated), and an optional external scorer with its timeout and how
   * long its order for a query on an unchanged graph is remembered ({@code 0} asks it every time), and how many
   * nodes one person may register.
   */
  public record Mesh(Duration heartbeatInterval, Duration offlineAfter, Duration sweepInterval, Duration flushInterval,
                     int maxHops, double relayMinTrust, List<Region> regions, Optional<String> scorerUrl,
                     Duration scorerTimeout, Duration scorerCacheTtl, Duration serviceReportInterval,
                     int maxNodesPerPerson, int routeBuffer) {
    public static final String REGIONS = P + "MESH_REGIONS";
    public static final String ROUTE_BUFFER = P + "MESH_ROUTE_BUFFER";
    /** Read by earlier versions for a Redis cache of route answers, which no longer exists. */
    static final String RETIRED_ROUTE_CACHE_TTL = P + "MESH_ROUTE_CACHE_TTL";

    public record Region(String name, double latitude, double longitude) {
    }

    static Mesh from(Settings s) {
      List<Region> regions = s.list(REGIONS, List.of("default")).stream().map(Mesh::region).toList();
      if (s.optional(RETIRED_ROUTE_CACHE_TTL).isPresent()) {
        throw new ConfigException(RETIRED_ROUTE_CACHE_TTL, "is no longer read: route answers are computed for every"
          + " query; AURALINK_MESH_SCORER_CACHE_TTL says how long the external scorer's order is remembered");
      }
      Optional<String> scorer = s.optional(P + "MESH_SCORER_URL");
      scorer.ifPresent(url -> {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
          throw new ConfigException(P + "MESH_SCORER_URL", "must be an http:// or https:// URL");
        }
      });
      return new Mesh(
        s.duration(P + "MESH_HEARTBEAT_INTERVAL", Duration.ofSeconds(30)),
        s.duration(P + "MESH_OFFLINE_AFTER", Duration.ofSeconds(120)),
        s.duration(P + "MESH_SWEEP_INTERVAL", Duration.ofSeconds(10)),
        s.duration(P + "MESH_FLUSH_INTERVAL", Duration.ofSeconds(1)),
        s.integer(P + "MESH_MAX_HOPS", 3, 1, 6),
        s.integer(P + "MESH_RELAY_MIN_TRUST", 60, 0, 100),
        regions, scorer,
        s.duration(P + "MESH_SCORER_TIMEOUT", Duration.ofMillis(200)),
        s.duration(P + "MESH_SCORER_CACHE_TTL", Duration.ofSeconds(300)),
        s.duration(P + "MESH_SERVICE_REPORT_INTERVAL", Duration.ofMinutes(5)),
        s.integer(P + "MESH_MAX_NODES_PER_PERSON", 20, 1, 1000),
        s.integer(ROUTE_BUFFER, 50_000, 100, 10_000_000));
    }

    private static Region region(String spec) {
      String[] parts = spec.split(":");
      try {
        if (parts.length == 1 && !parts[0].isBlank()) {
          return new Region(parts[0], Double.NaN, Double.NaN);
        }
        if (parts.length == 3) {
          double lat = Double.parseDouble(parts[1]);
          double lon = Double.parseDouble(parts[2]);
          if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
            return new Region(parts[0], lat, lon);
          }
        }
      } catch (NumberFormatException ignored) {
        // refused below
      }
      throw new ConfigException(REGIONS, "lists regions as name or name:latitude:longitude, got '" + spec + "'");
    }
  }

  /** The host part of a URL, for log lines that must not print credentials. */
  public static String redact(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath();
    } catch (RuntimeException e) {
      return "<unparseable url>";
    }
  }

  /**
   * Presence: how long a device stays present without another update ({@code AURALINK_PRESENCE_TTL}, refreshed by
   * each one), how long a person's {@code last_seen} is kept after their last device went, and the shortest interval
   * between two {@code auralink.presence.changed} events about one person (changes in between are coalesced).
   */
  public record Presence(Duration deviceTtl, Duration lastSeenTtl, Duration eventInterval) {
    public static final String TTL = P + "PRESENCE_TTL";

    static Presence from(Settings s) {
      Duration ttl = s.duration(TTL, Duration.ofSeconds(300));
      if (ttl.toMillis() < 1000 || ttl.toHours() > 24) {
        throw new ConfigException(TTL, "must be at least 1s and at most 24h");
      }
      Duration lastSeen = s.duration(P + "PRESENCE_LAST_SEEN_TTL", Duration.ofDays(30));
      if (lastSeen.compareTo(ttl) < 0) {
        throw new ConfigException(P + "PRESENCE_LAST_SEEN_TTL", "must be at least " + TTL + " (" + ttl + ")");
      }
      Duration interval = s.duration(P + "PRESENCE_EVENT_INTERVAL", Duration.ofSeconds(1));
      if (interval.toMillis() < 10 || interval.toMinutes() > 1) {
        throw new ConfigException(P + "PRESENCE_EVENT_INTERVAL", "must be at least 10ms and at most 1m");
      }
      return new Presence(ttl, lastSeen, interval);
    }
  }

  /**
   * The notification hub's delivery: how often each member's worker looks for due deliveries (it is also woken by
   * every local enqueue) and how many it takes at once, how many attempts a delivery gets and the back-off between
   * them (doubling from the first, with jitter, up to the maximum), how long one request may take, the circuit
   * breaker per destination (failures in a row that open it, how long it stays open), and the interval of the live
   * stream's heartbeats (comments that keep proxies from closing an idle stream).
   */
  public record Notification(Duration pollInterval, int batchSize, int maxAttempts, Duration initialBackoff,
                             Duration maxBackoff, Duration requestTimeout, int breakerFailures,
                             Duration breakerReset, Duration streamHeartbeat, int maxAppsPerPerson) {
    static Notification from(Settings s) {
      Duration poll = s.duration(P + "NOTIFICATION_POLL_INTERVAL", Duration.ofMillis(500));
      if (poll.toMillis() < 10) {
        throw new ConfigException(P + "NOTIFICATION_POLL_INTERVAL", "must be at least 10ms");
      }
      Duration initial = s.duration(P + "NOTIFICATION_INITIAL_BACKOFF", Duration.ofSeconds(1));
      Duration max = s.duration(P + "NOTIFICATION_MAX_BACKOFF", Duration.ofMinutes(10));
      if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
        throw new ConfigException(P + "NOTIFICATION_MAX_BACKOFF", "must be at least "
          + P + "NOTIFICATION_INITIAL_BACKOFF (" + initial + ")");
      }
      return new Notification(poll,
        s.integer(P + "NOTIFICATION_BATCH_SIZE", 50, 1, 1000),
        s.integer(P + "NOTIFICATION_MAX_ATTEMPTS", 8, 1, 100),
        initial, max,
        s.duration(P + "NOTIFICATION_REQUEST_TIMEOUT", Duration.ofSeconds(5)),
        s.integer(P + "NOTIFICATION_BREAKER_FAILURES", 5, 1, 1000),
        s.duration(P + "NOTIFICATION_BREAKER_RESET", Duration.ofSeconds(30)),
        s.duration(P + "NOTIFICATION_STREAM_HEARTBEAT", Duration.ofSeconds(15)),
        s.integer(P + "NOTIFICATION_MAX_APPS_PER_PERSON", 20, 1, 1000));
    }
  }

  /**
   * Data at rest: the AES-256-GCM keys sensitive columns are sealed under ({@code kid:base64} of 32 bytes, comma
   * separated; new values use the current one, reads accept every one listed), the separate HMAC-SHA256 key of
   * their equality lookups, and the background re-encryption's cadence and batch. Required where a role that
   * stores such data runs (verification, notification); start-dev keeps generated keys under the data directory.
   */
  public record DataProtection(Map<String, byte[]> keys, String currentKeyId, byte[] lookupKey,
                               Duration resealInterval, int resealBatch) {
    public static final String KEYS = P + "DATA_KEYS";
    public static final String CURRENT_KEY = P + "DATA_KEY_CURRENT";
    public static final String LOOKUP_KEY = P + "DATA_LOOKUP_KEY";
    public static final String RESEAL_INTERVAL = P + "DATA_RESEAL_INTERVAL";
    public static final String RESEAL_BATCH = P + "DATA_RESEAL_BATCH";
    /** The roles whose tables hold sealed columns. */
    public static final Set<Role> STORING_ROLES = Set.of(Role.VERIFICATION, Role.NOTIFICATION);
    private static final Pattern KEY_ID = Pattern.compile("^[A-Za-z0-9_-]{1,32}$");

    public boolean configured() {
      return !keys.isEmpty();
    }

    static DataProtection from(Settings s) {
      Set<Role> roles = Role.parse(Node.ROLES, s.list(Node.ROLES, List.of("all")));
      boolean stores = roles.stream().anyMatch(STORING_ROLES::contains);
      Duration interval = s.duration(RESEAL_INTERVAL, Duration.ofSeconds(30));
      if (interval.toMillis() < 100) {
        throw new ConfigException(RESEAL_INTERVAL, "must be at least 100ms");
      }
      int batch = s.integer(RESEAL_BATCH, 200, 1, 10_000);
      List<String> entries = s.list(KEYS, List.of());
      if (entries.isEmpty()) {
        if (stores) {
          throw new ConfigException(KEYS, "is required where the verification or notification role runs: "
            + "kid:base64 of 32 random bytes, comma separated, the first current (e.g. k1:$(openssl rand -base64 32)); "
            + "start-dev creates one under the data directory");
        }
        return new DataProtection(Map.of(), "", new byte[0], interval, batch);
      }
      Map<String, byte[]> keys = new LinkedHashMap<>();
      for (String entry : entries) {
        int colon = entry.indexOf(':');
        String kid = colon < 0 ? entry : entry.substring(0, colon);
        if (colon < 0 || !KEY_ID.matcher(kid).matches()) {
          throw new ConfigException(KEYS, "entries must be kid:base64 with a key id of 1-32 letters, digits, _ or -");
        }
        byte[] key;
        try {
          key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(KEYS, "key '" + kid + "' is not base64");
        }
        if (key.length != 32) {
          throw new ConfigException(KEYS, "key '" + kid + "' must be 32 bytes (AES-256), got " + key.length);
        }
        if (keys.put(kid, key) != null) {
          throw new ConfigException(KEYS, "lists key '" + kid + "' twice");
        }
      }
      String current = s.optional(CURRENT_KEY).orElse(keys.keySet().iterator().next());
      if (!keys.containsKey(current)) {
        throw new ConfigException(CURRENT_KEY, "names '" + current + "', which " + KEYS + " does not list");
      }
      String lookup = s.optional(LOOKUP_KEY).orElseThrow(() -> new ConfigException(LOOKUP_KEY,
        "is required with " + KEYS + ": base64 of at least 32 random bytes, the HMAC-SHA256 key of equality lookups"));
      byte[] lookupKey;
      try {
        lookupKey = Base64.getDecoder().decode(lookup.trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(LOOKUP_KEY, "is not base64");
      }
      if (lookupKey.length < 32) {
        throw new ConfigException(LOOKUP_KEY, "must be at least 32 bytes, got " + lookupKey.length);
      }
      return new DataProtection(Collections.unmodifiableMap(keys), current, lookupKey, interval, batch);
    }

    /** Key ids only: configuration may be logged. */
    @Override
    public String toString() {
      return "DataProtection[keys=" + keys.keySet() + ", current=" + currentKeyId + ", resealInterval="
        + resealInterval + ", resealBatch=" + resealBatch + "]";
    }
  }

  /**
   * Verification: the key codes are stored under (HMAC-SHA256; required where the verification role runs; start-dev
   * keeps one under the data directory), code lifetime and attempts, the send throttles, whether an email address
   * may be verified by several AuraIDs, the sweep cadence, and each channel, present only when configured.
   */
  public record Verification(Optional<String> codeKey, Duration codeTtl, int maxAttempts, Duration destinationInterval,
                             int sendsPerHour, boolean sharedEmail, Duration sweepInterval, int pageLimit,
                             Optional<Smtp> smtp, Optional<Twilio> twilio, Optional<Stripe> stripe,
                             Optional<Liveness> liveness, Map<String, OAuthProvider> oauthProviders,
                             Optional<URI> oauthCallbackUrl) {
    public static final String CODE_KEY = P + "VERIFICATION_CODE_KEY";

    static Verification from(Settings s) {
      Optional<String> key = s.optional(CODE_KEY);
      boolean runs = Role.parse(Node.ROLES, s.list(Node.ROLES, List.of("all"))).contains(Role.VERIFICATION);
      if (runs && key.isEmpty()) {
        throw new ConfigException(CODE_KEY, "is required where the verification role runs (at least 32 random "
          + "characters); start-dev creates one under the data directory");
      }
      if (key.isPresent() && key.get().length() < 32) {
        throw new ConfigException(CODE_KEY, "must be at least 32 characters (256 bits)");
      }
      Duration ttl = s.duration(P + "VERIFICATION_CODE_TTL", Duration.ofMinutes(10));
      if (ttl.toSeconds() < 30 || ttl.toHours() > 24) {
        throw new ConfigException(P + "VERIFICATION_CODE_TTL", "must be between 30s and 24h, got " + ttl);
      }
      return new Verification(key, ttl,
        s.integer(P + "VERIFICATION_MAX_ATTEMPTS", 3, 1, 10),
        s.duration(P + "VERIFICATION_DESTINATION_INTERVAL", Duration.ofSeconds(60)),
        s.integer(P + "VERIFICATION_SENDS_PER_HOUR", 5, 1, 1000),
        s.bool(P + "VERIFICATION_SHARED_EMAIL", false),
        s.duration(P + "VERIFICATION_SWEEP_INTERVAL", Duration.ofSeconds(30)),
        s.integer(P + "VERIFICATION_PAGE_LIMIT", 100, 1, 1000),
        Smtp.from(s), Twilio.from(s), Stripe.from(s), Liveness.from(s), OAuthProvider.all(s), oauthCallback(s));
    }

    /** Without the key: configuration may be logged. */
    @Override
    public String toString() {
      return "Verification[codeTtl=" + codeTtl + ", maxAttempts=" + maxAttempts + ", destinationInterval="
        + destinationInterval + ", sendsPerHour=" + sendsPerHour + ", sharedEmail=" + sharedEmail + ", smtp=" + smtp
        + ", twilio=" + twilio + ", stripe=" + stripe + ", liveness=" + liveness + ", oauth=" + oauthProviders.keySet()
        + "]";
    }

    /**
     * Stripe Identity for document checks: present when {@code AURALINK_STRIPE_SECRET_KEY} is set; the webhook
     * endpoint's signing secret is then required. {@code sessionTtl} is how long a document challenge waits for the
     * outcome.
     */
    public record Stripe(String secretKey, String webhookSecret, URI baseUrl, Duration sessionTtl) {
      public static final String SECRET_KEY = P + "STRIPE_SECRET_KEY";

      static Optional<Stripe> from(Settings s) {
        Optional<String> key = s.optional(SECRET_KEY);
        if (key.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(new Stripe(key.get(),
          s.required(P + "STRIPE_WEBHOOK_SECRET", "(the endpoint's whsec_ signing secret) when " + SECRET_KEY + " is set"),
          httpUrl(s, P + "STRIPE_BASE_URL", "https://api.stripe.com"),
          s.duration(P + "STRIPE_SESSION_TTL", Duration.ofHours(24))));
      }

      @Override
      public String toString() {
        return "Stripe[" + baseUrl + ", sessionTtl=" + sessionTtl + "]";
      }
    }

    /**
     * A liveness (biometric) provider: present when {@code AURALINK_LIVENESS_URL} is set. We hand out the provider's
     * URL with a single-use nonce; its result comes back as a webhook signed with HMAC-SHA256 under
     * {@code webhookSecret}.
     */
    public record Liveness(URI url, String webhookSecret, Duration sessionTtl) {
      public static final String URL = P + "LIVENESS_URL";

      static Optional<Liveness> from(Settings s) {
        if (s.optional(URL).isEmpty()) {
          return Optional.empty();
        }
        String secret = s.required(P + "LIVENESS_WEBHOOK_SECRET", "when " + URL + " is set");
        if (secret.length() < 32) {
          throw new ConfigException(P + "LIVENESS_WEBHOOK_SECRET", "must be at least 32 characters");
        }
        return Optional.of(new Liveness(httpUrl(s, URL, null), secret,
          s.duration(P + "LIVENESS_SESSION_TTL", Duration.ofMinutes(15))));
      }

      @Override
      public String toString() {
        return "Liveness[" + url + ", sessionTtl=" + sessionTtl + "]";
      }
    }

    private static Optional<URI> oauthCallback(Settings s) {
      if (s.list(OAuthProvider.PROVIDERS, List.of()).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(httpUrl(s, P + "OAUTH_CALLBACK_URL", null));
    }

    /**
     * An OAuth 2.0 provider for social checks (authorization code with PKCE S256, then OIDC UserInfo), named in
     * {@code AURALINK_OAUTH_PROVIDERS}; its settings are {@code AURALINK_OAUTH_<NAME>_*}.
     */
    public record OAuthProvider(String name, URI authorizeUrl, URI tokenUrl, URI userinfoUrl, String clientId,
                                Optional<String> clientSecret, String scope) {
      public static final String PROVIDERS = P + "OAUTH_PROVIDERS";

      static Map<String, OAuthProvider> all(Settings s) {
        Map<String, OAuthProvider> providers = new LinkedHashMap<>();
        for (String name : s.list(PROVIDERS, List.of())) {
          if (!name.matches("^[a-z][a-z0-9_]{0,30}$")) {
            throw new ConfigException(PROVIDERS, "names lower-case providers such as google, got " + name);
          }
          String k = P + "OAUTH_" + name.toUpperCase(java.util.Locale.ROOT) + "_";
          providers.put(name, new OAuthProvider(name, httpUrl(s, k + "AUTHORIZE_URL", null),
            httpUrl(s, k + "TOKEN_URL", null), httpUrl(s, k + "USERINFO_URL", null),
            s.required(k + "CLIENT_ID", "for the OAuth provider " + name), s.optional(k + "CLIENT_SECRET"),
            s.string(k + "SCOPE", "openid")));
        }
        return Map.copyOf(providers);
      }

      @Override
      public String toString() {
        return "OAuthProvider[" + name + ", " + authorizeUrl + ", client " + clientId + "]";
      }
    }

    private static URI httpUrl(Settings s, String key, String defaultValue) {
      String value = defaultValue == null ? s.required(key, "") : s.string(key, defaultValue);
      try {
        URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new ConfigException(key, "must be an http(s) URL, got " + value);
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, "is not a URL: " + e.getMessage());
      }
    }

    /** SMTP for email codes: present when {@code AURALINK_SMTP_HOST} is set. */
    public record Smtp(String host, int port, String security, Optional<String> username, Optional<String> password,
                       String from) {
      public static final String HOST = P + "SMTP_HOST";
      public static final String SECURITY = P + "SMTP_SECURITY";

      static Optional<Smtp> from(Settings s) {
        Optional<String> host = s.optional(HOST);
        if (host.isEmpty()) {
          return Optional.empty();
        }
        String security = s.string(SECURITY, "starttls");
        if (!List.of("none", "starttls", "tls").contains(security)) {
          throw new ConfigException(SECURITY, "must be none, starttls or tls, got " + security);
        }
        return Optional.of(new Smtp(host.get(),
          s.integer(P + "SMTP_PORT", security.equals("tls") ? 465 : 587, 1, 65535), security,
          s.optional(P + "SMTP_USERNAME"), s.optional(P + "SMTP_PASSWORD"),
          s.required(P + "SMTP_FROM", "(the sender address of verification emails) when " + HOST + " is set")));
      }

      @Override
      public String toString() {
        return "Smtp[" + host + ":" + port + ", " + security + ", user=" + username.orElse("-") + ", from=" + from + "]";
      }
    }

    /**
     * Twilio for SMS codes: present when {@code AURALINK_TWILIO_ACCOUNT_SID} is set. {@code statusCallbackUrl} is
     * the public URL of the status callback route, exactly as Twilio will request it (its signature covers it).
     */
    public record Twilio(String accountSid, String authToken, String from, URI baseUrl,
                         Optional<String> statusCallbackUrl) {
      public static final String ACCOUNT_SID = P + "TWILIO_ACCOUNT_SID";

      static Optional<Twilio> from(Settings s) {
        Optional<String> sid = s.optional(ACCOUNT_SID);
        if (sid.isEmpty()) {
          return Optional.empty();
        }
        String from = s.required(P + "TWILIO_FROM", "(an E.164 sender number) when " + ACCOUNT_SID + " is set");
        if (!from.matches("^\\+[1-9][0-9]{6,14}$")) {
          throw new ConfigException(P + "TWILIO_FROM", "must be an E.164 number such as +15005550006");
        }
        String base = s.string(P + "TWILIO_BASE_URL", "https://api.twilio.com");
        URI baseUrl;
        try {
          baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(P + "TWILIO_BASE_URL", "is not a URL: " + e.getMessage());
        }
        return Optional.of(new Twilio(sid.get(),
          s.required(P + "TWILIO_AUTH_TOKEN", "when " + ACCOUNT_SID + " is set"), from, baseUrl,
          s.optional(P + "TWILIO_STATUS_CALLBACK_URL")));
      }

      @Override
      public String toString() {
        return "Twilio[" + accountSid + ", from=" + from + ", " + baseUrl + "]";
      }
    }
  }
}
