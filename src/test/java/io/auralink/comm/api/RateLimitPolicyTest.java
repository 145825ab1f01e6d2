package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.auralink.comm.platform.config.Quota;
import io.auralink.comm.platform.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which quota and bucket a request falls under, from the configuration alone. */
class RateLimitPolicyTest {

  private static final Principal ALICE = new Principal(Principal.Kind.USER, "@alice.aura", Set.of(),
    Instant.now().plusSeconds(600));
  private static final Principal DASHBOARD = new Principal(Principal.Kind.SERVICE, "dashboard", Set.of(),
    Instant.now().plusSeconds(600));

  private static AppConfig.RateLimits config(String... keyValues) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return AppConfig.RateLimits.from(Settings.of(values));
  }

  private static RateLimitPolicy.Applied applied(AppConfig.RateLimits config, String operation, Principal principal) {
    return RateLimitPolicy.of(operation, config).orElseThrow().apply(principal, "203.0.113.7").orElseThrow();
  }

  @Test
  void the_defaults_are_100_users_1000_services_60_addresses_a_minute() {
    AppConfig.RateLimits config = config();
    assertEquals(new Quota(100, Duration.ofMinutes(1), false), applied(config, "echo", ALICE).quota());
    assertEquals(new Quota(1000, Duration.ofMinutes(1), false), applied(config, "echo", DASHBOARD).quota());
    RateLimitPolicy.Applied anonymous = applied(config, "oauthCallback", null);
    assertEquals(new Quota(60, Duration.ofMinutes(1), false), anonymous.quota());
    assertEquals("ratelimit:anonymous:address:203.0.113.7", anonymous.bucket());
    assertEquals("ratelimit:user:user:@alice.aura", applied(config, "echo", ALICE).bucket());
    assertTrue(config.failOpen());
  }

  @Test
  void health_metrics_and_provider_webhooks_are_exempt_unless_listed() {
    AppConfig.RateLimits config = config();
    for (String exempt : AppConfig.RateLimits.EXEMPT) {
      assertEquals(Optional.empty(), RateLimitPolicy.of(exempt, config), exempt);
    }
    AppConfig.RateLimits listed = config("AURALINK_RATE_LIMIT_OPERATIONS", "metrics.anonymous=10/1s");
    assertEquals(new Quota(10, Duration.ofSeconds(1), false), applied(listed, "metrics", null).quota());
    assertTrue(RateLimitPolicy.of("metrics", listed).orElseThrow().apply(DASHBOARD, null).isEmpty(),
      "services stay exempt on it");
  }

  @Test
  void the_most_specific_override_wins_and_counts_in_its_own_bucket() {
    AppConfig.RateLimits config = config("AURALINK_RATE_LIMIT_OPERATIONS",
      "registerAuraId=20/1m, registerAuraId.service=500/1m shadow, echo.user=off");
    RateLimitPolicy.Applied service = applied(config, "registerAuraId", DASHBOARD);
    assertEquals("registerAuraId.service", service.name());
    assertEquals(new Quota(500, Duration.ofMinutes(1), true), service.quota());
    assertEquals("ratelimit:registerAuraId.service:service:dashboard", service.bucket());
    assertEquals("registerAuraId", applied(config, "registerAuraId", ALICE).name());
    assertTrue(RateLimitPolicy.of("echo", config).orElseThrow().apply(ALICE, null).isEmpty());
    assertEquals("service", applied(config, "echo", DASHBOARD).name());
  }

  @Test
  void an_ipv6_client_is_counted_by_its_64_network() {
    assertEquals(RateLimitPolicy.addressBucket("2001:db8:1:2:aaaa::1"), RateLimitPolicy.addressBucket("2001:db8:1:2::ffff"));
    assertFalse(RateLimitPolicy.addressBucket("2001:db8:1:2::1").equals(RateLimitPolicy.addressBucket("2001:db8:1:3::1")));
    assertEquals("192.0.2.1", RateLimitPolicy.addressBucket("192.0.2.1"));
  }

  @Test
  void a_malformed_quota_or_override_names_its_setting() {
    for (String bad : new String[] {"100", "0/1m", "10/500ms", "10/2d", "ten/1m", "10/1m loud"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> config("AURALINK_RATE_LIMIT_USER", bad), bad);
      assertEquals("AURALINK_RATE_LIMIT_USER", e.key());
    }
    for (String bad : new String[] {"echo", "echo.robot=1/1m", "=1/1m", "echo=1/1m shadowy"}) {
      ConfigException e = assertThrows(ConfigException.class,
        () -> config("AURALINK_RATE_LIMIT_OPERATIONS", bad), bad);
      assertEquals("AURALINK_RATE_LIMIT_OPERATIONS", e.key());
    }
    assertEquals("AURALINK_RATE_LIMIT_ON_REDIS_FAILURE",
      assertThrows(ConfigException.class, () -> config("AURALINK_RATE_LIMIT_ON_REDIS_FAILURE", "maybe")).key());
    assertFalse(config("AURALINK_RATE_LIMIT_ON_REDIS_FAILURE", "closed").failOpen());
  }
}
