package io.auralink.comm.platform.bus;

import io.auralink.comm.platform.PlatformError;
import io.auralink.comm.platform.storage.StorageFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Requests to another member are addressed to that member, so that when it leaves the cluster (killed, frozen,
 * cut off) the requests in flight to it fail at once with 503 {@code MEMBER_LEFT} instead of waiting for the
 * event-bus timeout, and the next request goes to a survivor.
 *
 * <p>Vert.x picks the member for a request to a cluster-wide address itself and does not say which; a request
 * whose member dies simply never hears back. So every domain instance also binds its contract at
 * {@link #memberAddress} (its address plus its member's id), and a sender picks among the members serving the
 * address itself (round robin, like Vert.x) and sends there. An outbound interceptor records each such request's
 * reply address with its member; the reply clears it; when Hazelcast reports the member gone, every request still
 * waiting on it gets a {@code MEMBER_LEFT} failure as its reply. Which members serve an address is read from the
 * cluster's registrations when it is asked for, at most once a {@link #REFRESH_MILLIS}; until the first read a
 * sender uses the cluster-wide address as before. A member that stops gracefully first withdraws its cluster-wide
 * binding, so senders stop picking it before it withdraws its member binding ({@link #drainMillis}).
 *
 * <p>Only requests sent through {@link LoopAddresses#target} take this path; plain sends and publishes do not.
 */
public final class MemberRouting {

  /** How often a sender re-reads which members serve an address it sends to (only while it sends). */
  public static final long REFRESH_MILLIS = 1000;
  private static final String MARK = "@member:";
  private static final Logger LOG = LoggerFactory.getLogger(MemberRouting.class);

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final long maxWaitMillis;
  private final ConcurrentMap<String, Served> served = new ConcurrentHashMap<>();
  /** Requests waiting on another member: reply address to the member and when it was sent. */
  private final ConcurrentMap<String, Waiting> waiting = new ConcurrentHashMap<>();

  private record Waiting(String nodeId, long sentAtMillis) {
  }

  /** The members serving one address, as last read. */
  private static final class Served {
    private volatile List<String> nodeIds = List.of();
    private volatile long readAtMillis;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicInteger next = new AtomicInteger();
  }

  /**
   * Installs the interceptors on this node's event bus. {@code maxWaitMillis} is the longest a request may wait for
   * its reply (the event-bus timeout): a record older than that has timed out and is forgotten.
   */
  public MemberRouting(Vertx vertx, ClusterManager cluster, long maxWaitMillis) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.maxWaitMillis = maxWaitMillis;
    EventBus bus = vertx.eventBus();
    bus.addOutboundInterceptor(this::recordRequest);
    bus.addInboundInterceptor(this::clearAnswered);
    vertx.setPeriodic(maxWaitMillis, id -> forgetTimedOut());
  }

  /** The address at which a member serves {@code address}. */
  public static String memberAddress(String address, String nodeId) {
    return address + MARK + nodeId;
  }

  /** How long a member that stops waits between withdrawing its cluster-wide binding and its member binding. */
  public long drainMillis() {
    try {
      return cluster.isActive() && cluster.getNodes().size() > 1 ? REFRESH_MILLIS + 200 : 0;
    } catch (IllegalStateException e) {
      return 0; // this member is out of the cluster already (Hazelcast not active): nobody picks it
    }
  }

  /**
   * Where to send a request for {@code address}: the member address of the next member serving it, or null while
   * no member is known to (the caller then uses the cluster-wide address).
   */
  public String pick(String address) {
    Served members = served.computeIfAbsent(address, a -> new Served());
    if (System.currentTimeMillis() - members.readAtMillis > REFRESH_MILLIS) {
      read(address, members);
    }
    List<String> nodeIds = members.nodeIds;
    if (nodeIds.isEmpty()) {
      return null;
    }
    return memberAddress(address, nodeIds.get(Math.floorMod(members.next.getAndIncrement(), nodeIds.size())));
  }

  /** Forgets a member that left and fails every request still waiting on it. Any thread. */
  public void memberLeft(String nodeId) {
    served.values().forEach(members -> members.nodeIds = members.nodeIds.stream()
      .filter(id -> !id.equals(nodeId)).toList());
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
    AtomicInteger failed = new AtomicInteger();
    waiting.forEach((replyAddress, request) -> {
      if (request.nodeId().equals(nodeId) && waiting.remove(replyAddress, request)) {
        failed.incrementAndGet();
        vertx.eventBus().send(replyAddress, PlatformError.MEMBER_LEFT.exception(
          "the cluster member serving this left the cluster before answering; a change may or may not have been"
            + " made; retry", new JsonObject().put("retry_after_seconds", StorageFailures.RETRY_AFTER_SECONDS)),
          local);
      }
    });
    LOG.warn("a cluster member left; requests waiting on it failed with MEMBER_LEFT {} {}", kv("node_id", nodeId),
      kv("requests", failed.get()));
  }

  /** Requests waiting on another member now (for tests and metrics). */
  public int waitingRequests() {
    return waiting.size();
  }

  /**
   * Reads which members serve {@code address}: those with a cluster-wide registration of it and a registration of
   * their member address (a member of an older version has none, and keeps being reached the old way).
   */
  private void read(String address, Served members) {
    if (!members.reading.compareAndSet(false, true)) {
      return;
    }
    registrations(address)
      .map(registrations -> registrations.stream().filter(r -> !r.localOnly()).map(RegistrationInfo::nodeId)
        .collect(Collectors.toSet()))
      .compose(candidates -> Future.all(candidates.stream()
          .map(nodeId -> registrations(memberAddress(address, nodeId)).map(r -> r.isEmpty() ? null : nodeId))
          .toList())
        .map(all -> all.<String>list().stream().filter(Objects::nonNull).sorted().toList()))
      .onComplete(result -> {
        if (result.succeeded()) {
          Set<String> present = Set.copyOf(cluster.getNodes());
          members.nodeIds = result.result().stream().filter(present::contains).toList();
        }
        members.readAtMillis = System.currentTimeMillis();
        members.reading.set(false);
      });
  }

  private Future<List<RegistrationInfo>> registrations(String address) {
    Promise<List<RegistrationInfo>> promise = Promise.promise();
    cluster.getRegistrations(address, promise);
    return promise.future();
  }

  private void recordRequest(DeliveryContext<Object> context) {
    String address = context.message().address();
    String replyAddress = context.message().replyAddress();
    int mark = address.indexOf(MARK);
    if (replyAddress != null && mark > 0) {
      waiting.put(replyAddress, new Waiting(address.substring(mark + MARK.length()), System.currentTimeMillis()));
    }
    context.next();
  }

  private void clearAnswered(DeliveryContext<Object> context) {
    if (!waiting.isEmpty()) {
      waiting.remove(context.message().address());
    }
    context.next();
  }

  /** A request whose reply timed out was never cleared by a reply: forget it. */
  private void forgetTimedOut() {
    long oldest = System.currentTimeMillis() - maxWaitMillis - REFRESH_MILLIS;
    waiting.entrySet().removeIf(entry -> entry.getValue().sentAtMillis() < oldest);
  }
}
