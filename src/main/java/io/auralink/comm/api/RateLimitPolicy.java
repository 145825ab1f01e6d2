package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Quota;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Which quota counts a request to one operation, and in which bucket. For each kind of caller (user, service, or a
 * client address without a token) the most specific setting wins: {@code operationId.kind}, then
 * {@code operationId}, then the kind's default. An operation's own quota has a bucket of its own, so its requests do
 * not also count against the caller's default quota. Pure: no I/O.
 */
final class RateLimitPolicy {

  /** The quota a request falls under: its name (as the headers and metrics show it) and the Redis key it counts in. */
  record Applied(String name, Quota quota, String bucket) {
  }

  private record Choice(String name, Quota quota) {
  }

  private final Choice user;
  private final Choice service;
  private final Choice anonymous;

  private RateLimitPolicy(Choice user, Choice service, Choice anonymous) {
    this.user = user;
    this.service = service;
    this.anonymous = anonymous;
  }

  /** The policy of an operation; empty when no kind of caller is limited on it (health, metrics, webhooks). */
  static Optional<RateLimitPolicy> of(String operationId, AppConfig.RateLimits config) {
    RateLimitPolicy policy = new RateLimitPolicy(
      choose(operationId, "user", config.user(), config.operations()),
      choose(operationId, "service", config.service(), config.operations()),
      choose(operationId, "anonymous", config.anonymous(), config.operations()));
    return policy.user == null && policy.service == null && policy.anonymous == null
      ? Optional.empty() : Optional.of(policy);
  }

  private static Choice choose(String operationId, String kind, Quota fallback, Map<String, Optional<Quota>> overrides) {
    String specific = operationId + "." + kind;
    if (overrides.containsKey(specific)) {
      return overrides.get(specific).map(q -> new Choice(specific, q)).orElse(null);
    }
    if (overrides.containsKey(operationId)) {
      return overrides.get(operationId).map(q -> new Choice(operationId, q)).orElse(null);
    }
    return new Choice(kind, fallback);
  }

  /**
   * The quota and bucket of a request by {@code principal} (null without a token) from {@code clientAddress};
   * empty when this kind of caller is not limited here.
   */
  Optional<Applied> apply(Principal principal, String clientAddress) {
    Choice choice;
    String caller;
    if (principal == null) {
      choice = anonymous;
      caller = "address:" + addressBucket(clientAddress);
    } else if (principal.isService()) {
      choice = service;
      caller = "service:" + principal.subject();
    } else {
      choice = user;
      caller = "user:" + principal.subject();
    }
    return choice == null ? Optional.empty()
      : Optional.of(new Applied(choice.name(), choice.quota(), "ratelimit:" + choice.name() + ":" + caller));
  }

  /**
   * An IPv4 address as it is; an IPv6 address by its /64 network, the block one subscriber gets (RFC 6177), so that
   * hopping between its 2^64 addresses does not multiply the quota.
   */
  static String addressBucket(String address) {
    if (address == null || address.isEmpty()) {
      return "unknown";
    }
    if (address.indexOf(':') < 0) {
      return address;
    }
    try {
      // A literal address: no lookup happens.
      byte[] bytes = InetAddress.getByName(address.startsWith("[") ? address : "[" + address + "]").getAddress();
      if (bytes.length == 16) {
        byte[] network = Arrays.copyOf(bytes, 16);
        Arrays.fill(network, 8, 16, (byte) 0);
        return InetAddress.getByAddress(network).getHostAddress() + "/64";
      }
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
