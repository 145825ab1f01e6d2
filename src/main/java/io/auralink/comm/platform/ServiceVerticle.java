package io.auralink.comm.platform;

import io.auralink.comm.platform.bus.MemberRouting;
import io.auralink.comm.platform.storage.StorageFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/**
 * A verticle that serves one domain contract on the event bus. It binds the implementation its subclass starts at
 * the contract's address, at this member's address for it ({@link MemberRouting}) and at the address private to its
 * event loop (see {@link io.auralink.comm.platform.bus.LoopAddresses}); on stop it unbinds them before the subclass
 * stops the implementation. Failures of an unavailable dependency leave it as 503 codes ({@link StorageFailures}). A domain's
 * verticle only says how its service is built and what it holds.
 *
 * @param <T> the contract, a {@code @ProxyGen} interface
 */
public abstract class ServiceVerticle<T> extends VerticleBase {

  protected final Platform platform;
  private final Class<T> contract;
  private final String address;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<JsonObject> memberBinding;
  private MessageConsumer<JsonObject> loopBinding;

  protected ServiceVerticle(Platform platform, Class<T> contract, String address) {
    this.platform = platform;
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

  /**
   * Binds the service guarded by {@link StorageFailures} (an outage of PostgreSQL answers 503, never 500) at the
   * contract's address, at this member's address for it ({@link MemberRouting}) and on this loop.
   */
  @Override
  public final Future<?> start() {
    return startService().compose(started -> {
      T service = StorageFailures.guard(contract, contract.cast(started));
      binding = new ServiceBinder(vertx).setAddress(address).register(contract, service);
      memberBinding = new ServiceBinder(vertx)
        .setAddress(MemberRouting.memberAddress(address, platform.cluster().getNodeId()))
        .register(contract, service);
      loopBinding = new ServiceBinder(vertx).setAddress(platform.loops().bindOnThisLoop(address))
        .registerLocal(contract, service);
      return Future.all(binding.completion(), memberBinding.completion(), loopBinding.completion());
    });
  }

  /**
   * Withdraws the contract's address first, and this member's address for it only once other members have stopped
   * picking it ({@link MemberRouting#drainMillis}), so that a graceful stop fails no request.
   */
  @Override
  public final Future<?> stop() {
    platform.loops().unbind(loopBinding.address());
    MemberRouting members = platform.loops().members();
    long drain = members == null ? 0 : members.drainMillis();
    return binding.unregister()
      .transform(ignored -> drain == 0 ? Future.<Void>succeededFuture() : vertx.timer(drain).<Void>mapEmpty())
      .transform(ignored -> Future.join(memberBinding.unregister(), loopBinding.unregister()))
      .eventually(() -> stopService().<Void>mapEmpty());
  }
}
