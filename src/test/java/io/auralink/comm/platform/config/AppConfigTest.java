package io.auralink.comm.platform.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings become typed configuration with documented defaults; a bad value names its setting. */
class AppConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> values = new HashMap<>();
    values.put("AURALINK_DATABASE_URL", "postgresql://app:pw@db.internal:5432/auralink");
    values.put("AURALINK_REDIS_URL", "redis://cache.internal:6379");
    values.put("AURALINK_JWT_SECRET", "x".repeat(32));
    values.put("AURALINK_VERIFICATION_CODE_KEY", "v".repeat(32));
    values.put("AURALINK_DATA_KEYS", "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
    values.put("AURALINK_DATA_LOOKUP_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    return values;
  }

  @Test
  void the_minimal_configuration_gets_the_documented_defaults() {
    AppConfig config = AppConfig.from(Settings.of(minimal()));
    assertEquals(8001, config.http().port());
    assertEquals(Path.of("./data").toAbsolutePath().normalize(), config.node().dataDir());
    assertEquals(EnumSet.allOf(Role.class), config.node().roles());
    assertEquals("auralink", config.cluster().name());
    assertEquals(List.of("127.0.0.1"), config.cluster().members());
    assertEquals("127.0.0.1", config.cluster().host());
    assertEquals("auralink", config.jwt().issuer());
    assertEquals("auralink-comm", config.jwt().audience());
    assertEquals(List.of("HS256", "RS256", "ES256"), config.jwt().algorithms());
    assertEquals(Duration.ofSeconds(30), config.jwt().clockSkew());
    assertEquals(16, config.database().poolSize());
    assertEquals(1024 * 1024, config.http().maxBodyBytes());
    assertEquals(false, config.node().embeddedStorage());
    assertEquals(Duration.ofSeconds(5), config.trust().identitySyncInterval());
    assertTrue(config.trust().allowUnknownServers());
    assertEquals(10, config.trust().reportsPerHour());
    assertEquals(Duration.ofDays(7), config.trust().reporterMinimumAge());
    assertEquals(Duration.ofDays(30), config.trust().reporterFullWeightAge());
    assertEquals(2.0, config.trust().suspensionWeight());
    assertEquals(Duration.ofSeconds(120), config.mesh().offlineAfter());
    assertEquals(3, config.mesh().maxHops());
    assertEquals(List.of("default"), config.mesh().regions().stream().map(AppConfig.Mesh.Region::name).toList());
    assertEquals(Duration.ofSeconds(300), config.mesh().scorerCacheTtl());
    assertEquals(false, config.liveKit().configured());
    assertEquals(Duration.ofMinutes(10), config.liveKit().tokenTtl());
    assertEquals(Duration.ofSeconds(10), config.liveKit().clockSkew());
    assertEquals(Duration.ofSeconds(30), config.call().ringTime());
    assertEquals(Duration.ofSeconds(120), config.call().maxRingTime());
    assertEquals(Duration.ofSeconds(1), config.call().sweepInterval());
    assertEquals(Duration.ofMinutes(5), config.call().roomEmptyTimeout());
    assertEquals(100, config.call().historyPageLimit());
  }

  @Test
  void livekit_reads_its_url_key_secret_and_one_server_per_region() {
    Map<String, String> values = minimal();
    values.put("AURALINK_LIVEKIT_URL", "wss://media.example.org/");
    values.put("AURALINK_LIVEKIT_API_KEY", "APIkey");
    values.put("AURALINK_LIVEKIT_API_SECRET", "secret");
    values.put("AURALINK_LIVEKIT_REGIONS", "eu-west=wss://eu.media.example.org");
    values.put("AURALINK_LIVEKIT_TOKEN_TTL", "5m");
    AppConfig.LiveKit liveKit = AppConfig.from(Settings.of(values)).liveKit();
    assertTrue(liveKit.configured());
    assertEquals("wss://media.example.org", liveKit.url().orElseThrow());
    assertEquals("wss://eu.media.example.org", liveKit.urlFor("eu-west").orElseThrow());
    assertEquals("wss://media.example.org", liveKit.urlFor("us-east").orElseThrow(), "a region without its own");
    assertEquals(Duration.ofMinutes(5), liveKit.tokenTtl());
  }

  @ParameterizedTest(name = "only {0}")
  @CsvSource({"AURALINK_LIVEKIT_URL,wss://media.example.org", "AURALINK_LIVEKIT_API_KEY,APIkey",
    "AURALINK_LIVEKIT_API_SECRET,secret"})
  void livekit_settings_come_all_together_or_not_at_all(String key, String value) {
    Map<String, String> values = minimal();
    values.put(key, value);
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(Settings.of(values)));
    assertTrue(e.key().startsWith("AURALINK_LIVEKIT_") && !e.key().equals(key), e.key());
  }

  @Test
  void the_matrix_bridge_reads_its_listener_and_intake_and_refuses_too_short_leases() {
    Map<String, String> values = minimal();
    AppConfig.MatrixBridge defaults = AppConfig.from(Settings.of(values)).matrixBridge();
    assertEquals(8009, defaults.port());
    assertEquals("http://127.0.0.1:8009", defaults.localUrl(), "a wildcard host is reached on the loopback");
    assertEquals(Duration.ofSeconds(30), defaults.lease());
    assertEquals(Duration.ofDays(7), defaults.retention());
    values.put("AURALINK_MATRIX_AS_HOST", "10.0.0.7");
    values.put("AURALINK_MATRIX_AS_PORT", "9100");
    values.put("AURALINK_MATRIX_INTAKE_BATCH", "5");
    AppConfig.MatrixBridge bridge = AppConfig.from(Settings.of(values)).matrixBridge();
    assertEquals("http://10.0.0.7:9100", bridge.localUrl());
    assertEquals(5, bridge.claimBatch());
    values.put("AURALINK_MATRIX_INTAKE_LEASE", "500ms");
    assertEquals("AURALINK_MATRIX_INTAKE_LEASE", assertThrows(ConfigException.class,
      () -> AppConfig.from(Settings.of(values))).key());
  }

  @Test
  void the_ring_time_reads_within_its_maximum() {
    Map<String, String> values = minimal();
    values.put("AURALINK_CALL_RING_TIME", "45s");
    values.put("AURALINK_CALL_MAX_RING_TIME", "90s");
    AppConfig.Call call = AppConfig.from(Settings.of(values)).call();
    assertEquals(Duration.ofSeconds(45), call.ringTime());
    assertEquals(Duration.ofSeconds(90), call.maxRingTime());
    values.put("AURALINK_CALL_RING_TIME", "91s");
    assertEquals("AURALINK_CALL_RING_TIME", assertThrows(ConfigException.class,
      () -> AppConfig.from(Settings.of(values))).key());
  }

  @Test
  void the_scorer_order_lifetime_is_read_and_the_retired_route_cache_setting_is_refused_by_name() {
    Map<String, String> values = minimal();
    values.put("AURALINK_MESH_SCORER_CACHE_TTL", "30s");
    assertEquals(Duration.ofSeconds(30), AppConfig.from(Settings.of(values)).mesh().scorerCacheTtl());
    values.put("AURALINK_MESH_ROUTE_CACHE_TTL", "300s");
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(Settings.of(values)));
    assertEquals("AURALINK_MESH_ROUTE_CACHE_TTL", e.key());
    assertTrue(e.getMessage().contains("AURALINK_MESH_SCORER_CACHE_TTL"), e.getMessage());
  }

  @Test
  void the_report_rules_are_read() {
    Map<String, String> values = minimal();
    values.put("AURALINK_TRUST_REPORTS_PER_HOUR", "3");
    values.put("AURALINK_TRUST_REPORTER_MIN_AGE", "1d");
    values.put("AURALINK_TRUST_REPORTER_FULL_WEIGHT_AGE", "14d");
    values.put("AURALINK_TRUST_SUSPENSION_WEIGHT", "2.5");
    AppConfig.Trust trust = AppConfig.from(Settings.of(values)).trust();
    assertEquals(3, trust.reportsPerHour());
    assertEquals(Duration.ofDays(1), trust.reporterMinimumAge());
    assertEquals(Duration.ofDays(14), trust.reporterFullWeightAge());
    assertEquals(2.5, trust.suspensionWeight());
  }

  @Test
  void media_regions_read_with_or_without_coordinates() {
    Map<String, String> values = minimal();
    values.put("AURALINK_MESH_REGIONS", "eu-west:53.35:-6.26,lab");
    List<AppConfig.Mesh.Region> regions = AppConfig.from(Settings.of(values)).mesh().regions();
    assertEquals(new AppConfig.Mesh.Region("eu-west", 53.35, -6.26), regions.get(0));
    assertEquals("lab", regions.get(1).name());
    assertTrue(Double.isNaN(regions.get(1).latitude()));
  }

  @Test
  void the_rendered_docs_follow_embedded_storage_unless_set() {
    Map<String, String> values = minimal();
    assertEquals(false, AppConfig.from(Settings.of(values)).http().docs());
    values.put("AURALINK_EMBEDDED_STORAGE", "true");
    assertEquals(true, AppConfig.from(Settings.of(values)).http().docs());
    values.put("AURALINK_HTTP_DOCS", "false");
    assertEquals(false, AppConfig.from(Settings.of(values)).http().docs());
    values.put("AURALINK_EMBEDDED_STORAGE", "false");
    values.put("AURALINK_HTTP_DOCS", "true");
    assertEquals(true, AppConfig.from(Settings.of(values)).http().docs());
  }

  @Test
  void element_call_accepts_the_node_s_own_homeserver_by_default() {
    Map<String, String> values = minimal();
    AppConfig.ElementCall none = AppConfig.from(Settings.of(values)).elementCall();
    assertEquals(Map.of(), none.homeservers());
    assertEquals(false, none.enabled());
    assertEquals(List.of("*"), none.corsOrigins());
    assertEquals(Duration.ofSeconds(5), none.openIdTimeout());
    values.put("AURALINK_MATRIX_SERVER_NAME", "aura.example");
    values.put("AURALINK_MATRIX_HOMESERVER_URL", "http://127.0.0.1:8008/");
    values.put("AURALINK_MATRIX_AS_TOKEN", "as");
    AppConfig.ElementCall own = AppConfig.from(Settings.of(values)).elementCall();
    assertEquals(Map.of("aura.example", "http://127.0.0.1:8008"), own.homeservers());
    assertTrue(own.allows("aura.example"));
    assertTrue(own.fullAccess("aura.example"));
    assertEquals(false, own.allows("other.example"));
  }

  @Test
  void element_call_homeservers_allowed_and_full_access_servers_are_read() {
    Map<String, String> values = minimal();
    values.put("AURALINK_MATRIX_SERVER_NAME", "aura.example");
    values.put("AURALINK_ELEMENT_CALL_HOMESERVERS",
      "aura.example=https://matrix.aura.example, partner.org=https://hs.partner.org/ ,closed.net=http://10.0.0.9:8008");
    values.put("AURALINK_ELEMENT_CALL_ALLOWED_SERVERS", "aura.example,partner.org");
    values.put("AURALINK_ELEMENT_CALL_CORS_ORIGINS", "https://call.aura.example");
    AppConfig.ElementCall config = AppConfig.from(Settings.of(values)).elementCall();
    assertEquals("https://hs.partner.org", config.homeservers().get("partner.org"));
    assertEquals(Set.of("aura.example", "partner.org"), config.allowedServers());
    assertTrue(config.fullAccess("aura.example"), "our own server has full access by default");
    assertEquals(false, config.fullAccess("partner.org"));
    assertEquals(false, config.allows("closed.net"));
    assertEquals(List.of("https://call.aura.example"), config.corsOrigins());
    values.put("AURALINK_ELEMENT_CALL_FULL_ACCESS_SERVERS", "*");
    AppConfig.ElementCall all = AppConfig.from(Settings.of(values)).elementCall();
    assertTrue(all.fullAccess("partner.org"));
    assertEquals(false, all.fullAccess("closed.net"), "full access never reaches a server that is not allowed");
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource({"AURALINK_DATABASE_URL", "AURALINK_REDIS_URL", "AURALINK_JWT_SECRET", "AURALINK_VERIFICATION_CODE_KEY",
    "AURALINK_DATA_KEYS", "AURALINK_DATA_LOOKUP_KEY"})
  void a_missing_required_setting_is_named(String key) {
    Map<String, String> values = minimal();
    values.remove(key);
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(Settings.of(values)));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().startsWith(key));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
    "AURALINK_HTTP_PORT|http",
    "AURALINK_HTTP_PORT|70000",
    "AURALINK_HTTP_REQUEST_TIMEOUT|forever",
    "AURALINK_EMBEDDED_STORAGE|maybe",
    "AURALINK_ROLES|api,teleport",
    "AURALINK_JWT_SECRET|too-short",
    "AURALINK_VERIFICATION_CODE_KEY|too-short",
    "AURALINK_JWT_ALGORITHMS|HS256,none",
    "AURALINK_DATABASE_URL|mysql://localhost/x",
    "AURALINK_REDIS_URL|localhost:6379",
    "AURALINK_TRUST_FEDERATION_UNKNOWN|maybe",
    "AURALINK_TRUST_REPORTS_PER_HOUR|0",
    "AURALINK_TRUST_REPORTER_MIN_AGE|a week",
    "AURALINK_TRUST_REPORTER_FULL_WEIGHT_AGE|1d",
    "AURALINK_TRUST_SUSPENSION_WEIGHT|0.5",
    "AURALINK_TRUST_SUSPENSION_WEIGHT|NaN",
    "AURALINK_MESH_REGIONS|eu-west:53.3",
    "AURALINK_MESH_REGIONS|eu-west:95:0",
    "AURALINK_MESH_MAX_HOPS|9",
    "AURALINK_MESH_SCORER_URL|ftp://scorer",
    "AURALINK_MESH_SCORER_CACHE_TTL|5 minutes",
    "AURALINK_CALL_RING_TIME|500ms",
    "AURALINK_CALL_MAX_RING_TIME|2h",
    "AURALINK_CALL_SWEEP_INTERVAL|10ms",
    "AURALINK_CALL_HISTORY_PAGE_LIMIT|0",
    "AURALINK_LIVEKIT_REGIONS|eu-west=wss://eu",
    "AURALINK_ELEMENT_CALL_HOMESERVERS|localhost",
    "AURALINK_ELEMENT_CALL_HOMESERVERS|localhost=127.0.0.1:8008",
    "AURALINK_ELEMENT_CALL_ALLOWED_SERVERS|unconfigured.example",
    "AURALINK_ELEMENT_CALL_FULL_ACCESS_SERVERS|unconfigured.example",
    "AURALINK_ELEMENT_CALL_OPENID_TIMEOUT|soon",
    "AURALINK_DATA_KEYS|k1",
    "AURALINK_DATA_KEYS|k1:not base64!",
    "AURALINK_DATA_KEYS|k1:AAAA",
    "AURALINK_DATA_KEYS|bad id!:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "AURALINK_DATA_KEYS|k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "AURALINK_DATA_KEY_CURRENT|k9",
    "AURALINK_DATA_LOOKUP_KEY|AAAA",
    "AURALINK_DATA_RESEAL_INTERVAL|10ms"})
  void a_malformed_value_is_refused_naming_the_setting(String key, String value) {
    Map<String, String> values = minimal();
    values.put(key, value);
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(Settings.of(values)));
    assertEquals(key, e.key());
  }

  @Test
  void data_keys_keep_their_order_the_first_is_current_unless_named_and_stay_out_of_logs() {
    Map<String, String> values = minimal();
    String zero = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    values.put("AURALINK_DATA_KEYS", "old:" + zero + ", new:" + zero);
    AppConfig.DataProtection data = AppConfig.from(Settings.of(values)).data();
    assertEquals(List.of("old", "new"), List.copyOf(data.keys().keySet()));
    assertEquals("old", data.currentKeyId());
    values.put("AURALINK_DATA_KEY_CURRENT", "new");
    assertEquals("new", AppConfig.from(Settings.of(values)).data().currentKeyId());
    assertEquals(false, data.toString().contains(zero), data.toString());
    assertEquals(Duration.ofSeconds(30), data.resealInterval());
    assertEquals(200, data.resealBatch());
  }

  @Test
  void data_keys_are_not_required_where_no_role_stores_sealed_data() {
    Map<String, String> values = minimal();
    values.remove("AURALINK_DATA_KEYS");
    values.remove("AURALINK_DATA_LOOKUP_KEY");
    values.put("AURALINK_ROLES", "api,mesh,identity");
    assertEquals(false, AppConfig.from(Settings.of(values)).data().configured());
  }

  @Test
  void the_environment_overrides_the_config_file(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("auralink.properties"),
      "AURALINK_HTTP_PORT=9100\nAURALINK_CLUSTER_NAME=from-file\n");
    Map<String, String> environment = minimal();
    environment.put("AURALINK_CONFIG_FILE", file.toString());
    environment.put("AURALINK_HTTP_PORT", "9200");
    environment.put("PATH", "/usr/bin");
    AppConfig config = AppConfig.from(Settings.load(environment));
    assertEquals(9200, config.http().port());
    assertEquals("from-file", config.cluster().name());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"250ms,PT0.25S", "90s,PT1M30S", "10m,PT10M", "1h,PT1H", "7d,PT168H"})
  void durations_read_as_operators_write_them(String text, Duration expected) {
    assertEquals(expected, Durations.parse(text));
  }
}
