package io.auralink.comm.platform.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event-loop layout of a node's event bus. A domain instance binds its contract at the cluster-wide address and
 * also, local to this node, at an address private to its own event loop; a sender running on that loop sends there,
 * so the request, the domain's work and the reply stay on one thread. Crossing to another event loop costs a queue
 * hand-off and a wake-up each way, the largest part of a request/reply inside one JVM. The message still goes
 * through the event bus and the contract's proxy and handler; only the choice of consumer changes. A sender on a
 * loop without a local binding, and every other member of the cluster, uses the cluster-wide address.
 *
 * <p>Requests to a loop-local address carry their body with {@link HandOverJsonCodec}: it never leaves the JVM, so
 * it is handed over instead of copied.
 */
public final class LoopAddresses {

  /** Generated proxies one routed proxy keeps, one per member; beyond this, those of departed members are dropped. */
  private static final int MAX_MEMBER_PROXIES = 64;

  private final Set<String> bound = ConcurrentHashMap.newKeySet();
  private final MemberRouting members;

  /** Registers the codec of loop-local requests on this node's event bus; other members by cluster-wide address. */
  public LoopAddresses(Vertx vertx) {
    this(vertx, null);
  }

  /**
   * Registers the codec of loop-local requests on this node's event bus; requests to other members go to the
   * member {@code members} picks, so that a member's departure fails them at once.
   */
  public LoopAddresses(Vertx vertx, MemberRouting members) {
    EventBus bus = vertx.eventBus();
    bus.registerCodec(new HandOverJsonCodec());
    this.members = members;
  }

  /** Where other members are reached, or null on a node that leaves the choice to Vert.x. */
  public MemberRouting members() {
    return members;
  }

  /** Called on a domain instance's event loop: the loop-local address it binds, recorded for senders on the loop. */
  public String bindOnThisLoop(String address) {
    String local = local(address);
    bound.add(local);
    return local;
  }

  /** Called when the binding is undone, so senders fall back to the cluster-wide address. */
  public void unbind(String localAddress) {
    bound.remove(localAddress);
  }

  /**
   * Where a sender on the current thread sends requests for {@code address}, and with which options: the
   * loop-local binding if this loop has one (no copy of the body), otherwise the member address of the member
   * {@link MemberRouting} picks, or the cluster-wide address while it knows none.
   */
  public Target target(String address, long timeoutMillis) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    String local = local(address);
    if (Context.isOnEventLoopThread() && bound.contains(local)) {
      return new Target(local, options.setCodecName(HandOverJsonCodec.NAME));
    }
    String member = members == null ? null : members.pick(address);
    return new Target(member != null ? member : address, options);
  }

  /**
   * A contract's proxy for a sender on the current thread. {@code proxies} is the generated proxy's constructor
   * ({@code IdentityServiceVertxEBProxy::new}). With a binding on this loop it sends there; otherwise, on a node
   * with {@link MemberRouting}, each call goes to the member picked for it (a generated proxy per member, made
   * once), or to the cluster-wide address while none is known.
   */
  public <T> T proxy(Vertx vertx, String address, long timeoutMillis, ProxyConstructor<T> proxies) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    String local = local(address);
    if (Context.isOnEventLoopThread() && bound.contains(local)) {
      return proxies.create(vertx, local, options.setCodecName(HandOverJsonCodec.NAME));
    }
    T clusterWide = proxies.create(vertx, address, options);
    if (members == null) {
      return clusterWide;
    }
    Map<String, T> byMember = new ConcurrentHashMap<>();
    InvocationHandler perCall = (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return method.invoke(clusterWide, args);
      }
      String member = members.pick(address);
      T target = clusterWide;
      if (member != null) {
        if (byMember.size() > MAX_MEMBER_PROXIES && !byMember.containsKey(member)) {
          byMember.clear(); // members that left long ago
        }
        target = byMember.computeIfAbsent(member, m -> proxies.create(vertx, m, options));
      }
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    Class<?>[] contracts = clusterWide.getClass().getInterfaces();
    @SuppressWarnings("unchecked")
    T routed = (T) Proxy.newProxyInstance(clusterWide.getClass().getClassLoader(), contracts, perCall);
    return routed;
  }

  private static String local(String address) {
    return address + "@" + Thread.currentThread().getName();
  }

  /** The constructor every generated service proxy has. */
  @FunctionalInterface
  public interface ProxyConstructor<T> {
    T create(Vertx vertx, String address, DeliveryOptions options);
  }

  /** An address and the delivery options to send to it with. */
  public record Target(String address, DeliveryOptions options) {
  }
}
