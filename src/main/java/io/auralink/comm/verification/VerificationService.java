package io.auralink.comm.verification;

import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.bus.LoopAddresses;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Verification challenges, served on the event bus at {@link #ADDRESS}. A challenge proves one method
 * ({@code email}, {@code phone}, {@code document}, {@code social}, {@code biometric}) for one AuraID; its completion is recorded once per method and told to the trust
 * domain. Failures are {@link io.vertx.serviceproxy.ServiceException}s with a {@link VerificationError} code. A
 * person acts on their own AuraID; a service needs {@link #WRITE} (or {@link #READ} to list).
 */
@ProxyGen
@VertxGen
public interface VerificationService {

  String ADDRESS = "auralink.verification";

  /** Scopes of service callers. */
  String READ = "verification:read";
  String WRITE = "verification:write";

  /** A client for the verification domain wherever it runs in the cluster. */
  static VerificationService proxy(Vertx vertx, long timeoutMillis) {
    return new VerificationServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one, otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static VerificationService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, VerificationServiceVertxEBProxy::new);
  }

  /**
   * Starts a challenge {@code {aura_id, method, destination?, redirect_uri?}}: for {@code email} and {@code phone}
   * sends its code and answers the challenge (destination masked) only once the channel took the message; for
   * {@code document} answers Stripe's hosted {@code url}; for {@code biometric} a single-use {@code nonce} and the
   * liveness provider's {@code url}.
   */
  Future<JsonObject> start(JsonObject request, Caller caller);

  /** Completes a code challenge with {@code code}; completing a completed one with its code answers it again. */
  Future<JsonObject> complete(String id, String code, Caller caller);

  /** Cancels a pending challenge. */
  Future<JsonObject> cancel(String id, Caller caller);

  /**
   * {@code {verifications: [...], next_cursor}}: an AuraID's challenges, newest first, at most {@code limit}, after
   * {@code cursor} (from a previous page) when given; destinations masked, no secrets.
   */
  Future<JsonObject> list(String auraId, int limit, String cursor, Caller caller);

  /**
   * Applies a Twilio message status callback whose signature the edge has not checked: {@code form} is the posted
   * parameters, {@code signature} the {@code X-Twilio-Signature} header. Answers {@code {outcome}}.
   */
  Future<JsonObject> twilioStatus(JsonObject form, String signature);

  /**
   * Applies a Stripe Identity webhook: {@code signature} is the {@code Stripe-Signature} header, {@code body} the
   * raw body it signs. Each event id is applied once. Answers {@code {outcome}}.
   */
  Future<JsonObject> stripeWebhook(String signature, String body);

  /**
   * Applies a liveness provider's result {@code {nonce, result: passed|failed}}: {@code signature} is the
   * {@code X-Liveness-Signature} header over the raw {@code body}. A nonce completes its challenge once; a replay is
   * refused. Answers {@code {outcome}}.
   */
  Future<JsonObject> livenessWebhook(String signature, String body);

  /**
   * Finishes a social check where the provider redirected the person: {@code state} (single use) names the check,
   * {@code code} is exchanged with its PKCE verifier, or {@code error} says the person or provider declined.
   * Answers {@code {outcome, verification}}.
   */
  Future<JsonObject> oauthCallback(String state, String code, String error);
}
