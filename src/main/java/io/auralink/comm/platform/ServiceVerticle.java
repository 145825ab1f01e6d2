package io.auralink.comm.platform;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/**
 * A verticle that serves one domain contract on the event bus. It binds the implementation its subclass starts at
 * the contract's address, and on stop unbinds it before the subclass stops it: a domain's verticle only says how
 * its service is built and what it holds.
 *
 * @param <T> the contract, a {@code @ProxyGen} interface
 */
public abstract class ServiceVerticle<T> extends VerticleBase {

  private final Class<T> contract;
  private final String address;
  private MessageConsumer<JsonObject> binding;

  protected ServiceVerticle(Class<T> contract, String address) {
    this.contract = contract;
    this.address = address;
  }

  /**
   * Builds the implementation and starts its background work. Runs on this verticle's event loop: hand blocking
   * construction to a worker ({@code vertx.executeBlocking}).
   */
  protected abstract Future<? extends T> startService();

  /** Stops the implementation's background work and releases what {@link #startService} opened; runs unbound. */
  protected abstract Future<?> stopService();

  @Override
  public final Future<?> start() {
    return startService().compose(service -> {
      binding = new ServiceBinder(vertx).setAddress(address).register(contract, service);
      return binding.completion();
    });
  }

  @Override
  public final Future<?> stop() {
    return binding.unregister().eventually(() -> stopService().<Void>mapEmpty());
  }
}
