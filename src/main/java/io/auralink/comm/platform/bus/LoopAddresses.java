package io.auralink.comm.platform.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

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

  private final Set<String> bound = ConcurrentHashMap.newKeySet();

  /** Registers the codec of loop-local requests on this node's event bus. */
  public LoopAddresses(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    bus.registerCodec(new HandOverJsonCodec());
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
   * loop-local binding if this loop has one (no copy of the body), otherwise the cluster-wide address.
   */
  public Target target(String address, long timeoutMillis) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    String local = local(address);
    if (Context.isOnEventLoopThread() && bound.contains(local)) {
      return new Target(local, options.setCodecName(HandOverJsonCodec.NAME));
    }
    return new Target(address, options);
  }

  /**
   * A contract's proxy for a sender on the current thread, at {@link #target}'s address. {@code proxies} is the
   * generated proxy's constructor ({@code IdentityServiceVertxEBProxy::new}).
   */
  public <T> T proxy(Vertx vertx, String address, long timeoutMillis, ProxyConstructor<T> proxies) {
    Target target = target(address, timeoutMillis);
    return proxies.create(vertx, target.address(), target.options());
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
