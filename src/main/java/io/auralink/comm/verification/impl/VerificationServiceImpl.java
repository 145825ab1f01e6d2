package io.auralink.comm.verification.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.crypto.Resealer;
import io.auralink.comm.platform.crypto.Sealer;
import io.auralink.comm.trust.TrustService;
import io.auralink.comm.verification.VerificationError;
import io.auralink.comm.verification.VerificationEvents;
import io.auralink.comm.verification.VerificationService;
import io.auralink.comm.verification.channels.Channel;
import io.auralink.comm.verification.channels.Destinations;
import io.auralink.comm.verification.channels.EmailChannel;
import io.auralink.comm.verification.channels.LivenessProvider;
import io.auralink.comm.verification.channels.SocialOAuth;
import io.auralink.comm.verification.channels.StripeIdentity;
import io.auralink.comm.verification.channels.TwilioSms;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Redis;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.verification.impl.VerificationStore.COMPLETED;
import static io.auralink.comm.verification.impl.VerificationStore.PENDING;

/**
 * The verification domain's logic. Starting a challenge: validate, authorise, check the channel is configured and
 * the destination free, take a send from the throttles, store the code's hash, send; "sent" is answered only after
 * the channel took the message. Completing: count the attempt in its own statement, then compare in constant
 * time; a right code completes the challenge once, records the method once and tells the trust domain (retried by
 * the sweep until trust acknowledges it).
 */
public final class VerificationServiceImpl implements VerificationService {

  private static final Logger log = LoggerFactory.getLogger(VerificationServiceImpl.class);
  static final Set<String> METHODS = Set.of("email", "phone", "document", "social", "biometric");
  private static final Pattern CODE = Pattern.compile("^[0-9]{" + Codes.DIGITS + "}$");
  private static final Pattern CURSOR = Pattern.compile("^([0-9]{1,19})\\.([0-9a-f-]{36})$");
  private static final int DEFAULT_PAGE = 20;
  private static final int RESYNC_BATCH = 100;
  private static final String SERVICE_NAME = "verification";

  private final Vertx vertx;
  private final VerificationStore store;
  private final Codes codes;
  private final Throttles throttles;
  private final Map<String, Channel> channels;
  private final Optional<TwilioSms> twilio;
  private final Optional<StripeIdentity> stripe;
  private final Optional<LivenessProvider> liveness;
  private final Optional<SocialOAuth> social;
  private final TrustService trust;
  private final IdentityService identity;
  private final MeterRegistry metrics;
  private final AppConfig.Verification config;
  private final Caller asService = Caller.service(SERVICE_NAME, Set.of(TrustService.WRITE, IdentityService.READ));
  private final Resealer resealer;
  private long sweepTimer = -1;

  VerificationServiceImpl(Vertx vertx, VerificationStore store, Codes codes, Throttles throttles,
                          Map<String, Channel> channels, Optional<TwilioSms> twilio,
                          Optional<StripeIdentity> stripe, Optional<LivenessProvider> liveness,
                          Optional<SocialOAuth> social, TrustService trust,
                          IdentityService identity, MeterRegistry metrics, AppConfig.Verification config,
                          Resealer resealer) {
    this.resealer = resealer;
    this.vertx = vertx;
    this.store = store;
    this.codes = codes;
    this.throttles = throttles;
    this.channels = channels;
    this.twilio = twilio;
    this.stripe = stripe;
    this.liveness = liveness;
    this.social = social;
    this.trust = trust;
    this.identity = identity;
    this.metrics = metrics;
    this.config = config;
  }

  public static VerificationServiceImpl create(Vertx vertx, Platform platform, Redis redis) {
    AppConfig.Verification config = platform.config().verification();
    long timeout = platform.config().node().eventBusTimeout().toMillis();
    Optional<TwilioSms> twilio = config.twilio().map(t -> new TwilioSms(vertx, t, platform.config().transport()));
    Map<String, Channel> channels = new HashMap<>();
    config.smtp().ifPresent(smtp -> channels.put("email", new EmailChannel(vertx, smtp, platform.config().transport())));
    twilio.ifPresent(sms -> channels.put("phone", sms));
    String key = config.codeKey().orElseThrow(() -> new IllegalStateException(
      AppConfig.Verification.CODE_KEY + " is required where the verification role runs"));
    Sealer sealer = Sealer.from(platform.config().data());
    return new VerificationServiceImpl(vertx, new VerificationStore(platform.pool(), sealer), new Codes(key),
      new Throttles(redis, config.destinationInterval(), config.sendsPerHour()), Map.copyOf(channels), twilio,
      config.stripe().map(st -> new StripeIdentity(vertx, st, platform.config().transport())), config.liveness().map(LivenessProvider::new),
      config.oauthCallbackUrl().map(callback -> new SocialOAuth(vertx, config.oauthProviders(), callback, platform.config().transport())),
      TrustService.proxy(vertx, platform.loops(), timeout), IdentityService.proxy(vertx, platform.loops(), timeout),
      platform.metrics(), config, new Resealer(vertx, platform.pool(), sealer, "verification",
        VerificationStore.SEALED, platform.config().data(), platform.metrics()));
  }

  public void start() {
    sweepTimer = vertx.setPeriodic(config.sweepInterval().toMillis(), id -> sweep());
    resealer.start();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    Future<Void> released = resealer.stop();
    stripe.ifPresent(StripeIdentity::close);
    social.ifPresent(SocialOAuth::close);
    List<Future<Void>> closing = new ArrayList<>(channels.values().stream().map(Channel::close).toList());
    closing.add(released);
    return Future.join(closing).mapEmpty();
  }

  // ---- start ------------------------------------------------------------------------------------------------

  private record StartRequest(String auraId, String method, String destination, String redirectUri) {
  }

  @Override
  public Future<JsonObject> start(JsonObject body, Caller caller) {
    return parse(body).compose(request -> {
      if (!caller.mayActFor(request.auraId(), WRITE)) {
        return VerificationError.FORBIDDEN.fail("you may start verifications only for your own AuraID",
          field("aura_id"));
      }
      boolean available = switch (request.method()) {
        case "document" -> stripe.isPresent();
        case "biometric" -> liveness.isPresent();
        case "social" -> social.isPresent();
        default -> channels.containsKey(request.method());
      };
      if (!available) {
        count(request.method(), "channel_unavailable");
        return VerificationError.CHANNEL_UNAVAILABLE.fail("the " + request.method()
          + " channel is not configured on this deployment; nothing was sent", new JsonObject()
          .put("method", request.method()));
      }
      return registered(request.auraId())
        .compose(v -> destinationFree(request))
        // Methods without an address of their own are throttled per AuraID and method in place of a destination.
        .compose(v -> throttles.take(codes.destinationKey(request.method(),
          request.method().equals("email") || request.method().equals("phone") ? request.destination()
            : request.auraId()), request.auraId()))
        .compose(refusal -> {
          if (refusal.isPresent()) {
            count(request.method(), "throttled");
            long seconds = refusal.get().retryAfter().toSeconds();
            return VerificationError.RATE_LIMITED.fail(refusal.get().scope().equals("destination")
                ? "a code was sent to this destination moments ago; try again in " + seconds + " s"
                : "this AuraID asked for too many codes this hour; try again in " + seconds + " s",
              new JsonObject().put("retry_after_seconds", seconds).put("limit", refusal.get().scope()));
          }
          return switch (request.method()) {
            case "document" -> documentSession(request);
            case "biometric" -> livenessSession(request);
            case "social" -> socialSession(request);
            default -> send(request, channels.get(request.method()));
          };
        });
    });
  }

  private Future<StartRequest> parse(JsonObject body) {
    if (body == null) {
      return VerificationError.VALIDATION_FAILED.fail("a JSON body is required", field("aura_id"));
    }
    Optional<String> auraId = AuraIds.canonical(body.getString("aura_id"));
    if (auraId.isEmpty()) {
      return VerificationError.VALIDATION_FAILED.fail("aura_id " + AuraIds.FORMAT, field("aura_id"));
    }
    String method = body.getString("method");
    if (method == null || !METHODS.contains(method)) {
      return VerificationError.VALIDATION_FAILED.fail(
        "method must be one of email, phone, document, social, biometric", field("method"));
    }
    String raw = body.getString("destination");
    Optional<String> destination = switch (method) {
      case "email" -> Destinations.email(raw);
      case "phone" -> Destinations.phone(raw);
      default -> Optional.empty();
    };
    if (method.equals("social")) {
      // The destination names the provider; the subject it vouches for becomes the destination on completion.
      if (raw == null || social.isPresent() && social.get().provider(raw).isEmpty()) {
        return VerificationError.VALIDATION_FAILED.fail("destination must name an OAuth provider"
          + social.map(o -> ": one of " + String.join(", ", new TreeSet<>(o.providerNames()))).orElse(""),
          field("destination"));
      }
      destination = Optional.of(raw);
    }
    if ((method.equals("email") || method.equals("phone")) && destination.isEmpty()) {
      return VerificationError.VALIDATION_FAILED.fail(method.equals("email")
        ? "destination must be an email address" : "destination must be an E.164 number such as +14155550123",
        field("destination"));
    }
    String redirectUri = body.getString("redirect_uri");
    if (redirectUri != null && !redirectUri.matches("^https?://[^\\s]{1,2000}$")) {
      return VerificationError.VALIDATION_FAILED.fail("redirect_uri must be an http(s) URL", field("redirect_uri"));
    }
    return Future.succeededFuture(new StartRequest(auraId.get(), method, destination.orElse(null), redirectUri));
  }

  private Future<Void> registered(String auraId) {
    return identity.resolve(auraId, asService).<Void>mapEmpty().recover(failure -> {
      if (failure instanceof ServiceException e && e.failureCode() == 404) {
        return VerificationError.AURAID_NOT_FOUND.fail("no AuraID " + auraId + " is registered", field("aura_id"));
      }
      return Future.failedFuture(failure);
    });
  }

  private Future<Void> destinationFree(StartRequest request) {
    if (request.destination() == null || request.method().equals("social")
      || request.method().equals("email") && config.sharedEmail()) {
      return Future.succeededFuture();
    }
    return store.verifiedByAnother(request.method(), request.destination(), request.auraId()).compose(taken -> taken
      ? VerificationError.DESTINATION_TAKEN.fail("this " + (request.method().equals("phone") ? "number" : "address")
        + " is already verified by another AuraID", field("destination"))
      : Future.<Void>succeededFuture());
  }

  private Future<JsonObject> send(StartRequest request, Channel channel) {
    UUID id = UUID.randomUUID();
    String code = codes.newCode();
    Instant expiresAt = Instant.now().plus(config.codeTtl()).truncatedTo(ChronoUnit.MICROS);
    return store.insert(id, request.auraId(), request.method(), request.destination(), codes.hash(id.toString(), code),
        config.maxAttempts(), expiresAt, null)
      .compose(v -> channel.send(request.destination(), code, config.codeTtl())
        .recover(failure -> store.undelivered(id).transform(ignored -> {
          count(request.method(), "undelivered");
          return Future.failedFuture(failure);
        })))
      .compose(providerRef -> providerRef == null ? Future.succeededFuture() : store.delivered(id, providerRef))
      .compose(v -> store.find(id))
      .map(stored -> {
        count(request.method(), "sent");
        log.info("verification {} started: {} code sent to {} for {}", id, request.method(),
          Destinations.mask(request.method(), request.destination()), request.auraId());
        return view(stored.orElseThrow());
      });
  }

  /** A Stripe Identity session for the challenge: its hosted URL is answered, its client secret never read. */
  private Future<JsonObject> documentSession(StartRequest request) {
    StripeIdentity identity = stripe.orElseThrow();
    UUID id = UUID.randomUUID();
    Instant expiresAt = Instant.now().plus(identity.sessionTtl()).truncatedTo(ChronoUnit.MICROS);
    return store.insert(id, request.auraId(), request.method(), null, null, 1, expiresAt, null)
      .compose(v -> identity.createSession(id.toString(), request.auraId(), request.redirectUri())
        .recover(failure -> store.undelivered(id).transform(ignored -> {
          count(request.method(), "undelivered");
          return Future.failedFuture(failure);
        })))
      .compose(session -> store.delivered(id, session.id()).compose(v -> store.find(id)).map(stored -> {
        count(request.method(), "sent");
        log.info("verification {} started: document session {} for {}", id, session.id(), request.auraId());
        return view(stored.orElseThrow()).put("url", session.url());
      }));
  }

  /**
   * A liveness check: a random single-use nonce, found again by its keyed hash (the nonce itself is not stored),
   * answered with the provider's URL.
   */
  private Future<JsonObject> livenessSession(StartRequest request) {
    LivenessProvider provider = liveness.orElseThrow();
    UUID id = UUID.randomUUID();
    String nonce = provider.newNonce();
    Instant expiresAt = Instant.now().plus(provider.sessionTtl()).truncatedTo(ChronoUnit.MICROS);
    return store.insert(id, request.auraId(), request.method(), null, null, 1, expiresAt,
        codes.destinationKey("nonce", nonce))
      .compose(v -> store.find(id))
      .map(stored -> {
        count(request.method(), "sent");
        return view(stored.orElseThrow()).put("nonce", nonce).put("url", provider.url(nonce));
      });
  }

  /**
   * A social check: a single-use state (found again by its keyed hash) and a PKCE verifier kept until the callback;
   * answered with the provider's authorization URL.
   */
  private Future<JsonObject> socialSession(StartRequest request) {
    SocialOAuth oauth = social.orElseThrow();
    var provider = oauth.provider(request.destination()).orElseThrow();
    UUID id = UUID.randomUUID();
    String state = oauth.newSecret();
    String verifier = oauth.newSecret();
    Instant expiresAt = Instant.now().plus(config.codeTtl()).truncatedTo(ChronoUnit.MICROS);
    return store.insert(id, request.auraId(), request.method(), provider.name(), null, 1, expiresAt,
        codes.destinationKey("state", state))
      .compose(v -> store.keepVerifier(id, verifier))
      .compose(v -> store.find(id))
      .map(stored -> {
        count(request.method(), "sent");
        return view(stored.orElseThrow()).put("provider", provider.name())
          .put("url", oauth.authorizeUrl(provider, state, verifier));
      });
  }

  @Override
  public Future<JsonObject> oauthCallback(String state, String code, String error) {
    if (social.isEmpty()) {
      return VerificationError.CHANNEL_UNAVAILABLE.fail("no OAuth provider is configured on this deployment");
    }
    if (state == null || state.isBlank()) {
      return VerificationError.VALIDATION_FAILED.fail("state is required", field("state"));
    }
    if (code == null && error == null) {
      return VerificationError.VALIDATION_FAILED.fail("code or error is required", field("code"));
    }
    return store.consumeState(codes.destinationKey("state", state)).compose(consumed -> {
      if (consumed.isEmpty()) {
        return VerificationError.VERIFICATION_NOT_FOUND.fail(
          "no pending social verification has this state (it is used once and expires)", field("state"));
      }
      VerificationStore.Challenge challenge = consumed.get().challenge();
      var provider = social.get().provider(challenge.destination()).orElse(null);
      if (error != null || provider == null) {
        count("social", "failed");
        return store.fail(challenge.id()).map(ended -> new JsonObject().put("outcome", "failed")
          .put("error", error).put("verification", view(ended.orElse(challenge))));
      }
      return social.get().subject(provider, code, consumed.get().verifier())
        .recover(failure -> store.fail(challenge.id()).transform(ignored -> {
          count("social", "failed");
          return Future.failedFuture(failure);
        }))
        .compose(subject -> {
          String account = provider.name() + ":" + subject;
          return store.verifiedByAnother("social", account, challenge.auraId()).compose(taken -> taken
            ? store.fail(challenge.id()).compose(v -> VerificationError.DESTINATION_TAKEN.<JsonObject>fail(
              "this " + provider.name() + " account is already verified by another AuraID", field("state")))
            : completeOnce(challenge.id(), account).compose(done -> done.isEmpty()
              ? store.find(challenge.id()).compose(now -> notPending(now.orElse(challenge)))
              : recorded(done.get()).map(view -> new JsonObject().put("outcome", "completed")
                .put("verification", view))));
        });
    });
  }

  // ---- complete ---------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> complete(String id, String code, Caller caller) {
    return owned(id, caller, WRITE).compose(challenge -> {
      if (challenge.codeHash() == null && challenge.status().equals(PENDING)) {
        return VerificationError.CHALLENGE_STATE.fail("a " + challenge.method()
          + " verification completes through its provider, not with a code", new JsonObject()
          .put("status", challenge.status()).put("method", challenge.method()));
      }
      if (code == null || !CODE.matcher(code).matches()) {
        return VerificationError.VALIDATION_FAILED.fail("code must be " + Codes.DIGITS + " digits", field("code"));
      }
      if (challenge.status().equals(COMPLETED)) {
        // Idempotent: the right code answers the completed challenge again; nothing is counted or recorded twice.
        return codes.matches(challenge.codeHash(), challenge.id().toString(), code)
          ? Future.succeededFuture(view(challenge))
          : notPending(challenge);
      }
      return store.takeAttempt(challenge.id()).compose(attempt -> attempt.isEmpty()
        ? store.find(challenge.id()).compose(now -> notPending(now.orElse(challenge)))
        : check(challenge, attempt.get(), code));
    });
  }

  private Future<JsonObject> check(VerificationStore.Challenge challenge, VerificationStore.Attempt attempt,
                                   String code) {
    if (!codes.matches(attempt.codeHash(), challenge.id().toString(), code)) {
      int left = attempt.maxAttempts() - attempt.attempts();
      count(challenge.method(), "wrong_code");
      Future<Void> locked = left > 0 ? Future.succeededFuture() : store.exhaust(challenge.id());
      return locked.compose(v -> VerificationError.INVALID_CODE.fail(left > 0
          ? "the code is wrong; " + left + " attempt(s) left"
          : "the code is wrong and no attempts are left; start a new verification",
        new JsonObject().put("field", "code").put("attempts_left", left)));
    }
    return completeOnce(challenge.id(), null).compose(completed -> completed.isEmpty()
      // Another request completed or cancelled it between the attempt and now.
      ? store.find(challenge.id()).compose(now -> now.get().status().equals(COMPLETED)
          ? Future.succeededFuture(view(now.get())) : notPending(now.get()))
      : recorded(completed.get()));
  }

  /**
   * Completes and records in one transaction; a destination another AuraID verified since the start is refused
   * (409) and the challenge stays pending.
   */
  private Future<Optional<VerificationStore.Completed>> completeOnce(UUID id, String subject) {
    return store.complete(id, subject).recover(failure -> failure instanceof PgException pg
      && "23505".equals(pg.getSqlState())
      ? VerificationError.DESTINATION_TAKEN.fail("this destination was verified by another AuraID meanwhile")
      : Future.failedFuture(failure));
  }

  /** Tells trust of a new method (the sweep retries if it cannot be told now) and publishes. */
  private Future<JsonObject> recorded(VerificationStore.Completed completed) {
    VerificationStore.Challenge challenge = completed.challenge();
    boolean first = completed.first();
    count(challenge.method(), "completed");
    vertx.eventBus().publish(VerificationEvents.COMPLETED, new JsonObject()
      .put("id", challenge.id().toString()).put("aura_id", challenge.auraId()).put("method", challenge.method())
      .put("first", first).put("at", challenge.completedAt().toString()));
    Future<Void> told = first ? tellTrust(challenge.auraId(), challenge.method()) : Future.succeededFuture();
    return told.recover(failure -> {
      log.warn("trust not yet told of {}'s {} verification ({}); the sweep retries", challenge.auraId(),
        challenge.method(), failure.getMessage());
      return Future.succeededFuture();
    }).map(v -> view(challenge).put("first", first));
  }

  private Future<Void> tellTrust(String auraId, String method) {
    return trust.recordVerification("aura_id", auraId, method, asService)
      .compose(info -> store.trustRecorded(auraId, method));
  }

  // ---- cancel, list -----------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> cancel(String id, Caller caller) {
    return owned(id, caller, WRITE).compose(challenge -> store.cancel(challenge.id()).compose(cancelled -> cancelled
      .map(c -> Future.succeededFuture(view(c)))
      .orElseGet(() -> store.find(challenge.id()).compose(now -> notPending(now.orElse(challenge))))));
  }

  @Override
  public Future<JsonObject> list(String auraIdInput, int limit, String cursor, Caller caller) {
    Optional<String> auraId = AuraIds.canonical(auraIdInput);
    if (auraId.isEmpty()) {
      return VerificationError.VALIDATION_FAILED.fail("aura_id " + AuraIds.FORMAT, field("aura_id"));
    }
    if (!caller.mayActFor(auraId.get(), READ, WRITE)) {
      return VerificationError.FORBIDDEN.fail("you may list only your own AuraID's verifications", field("aura_id"));
    }
    int pageSize = limit <= 0 ? DEFAULT_PAGE : limit;
    if (pageSize > config.pageLimit()) {
      return VerificationError.VALIDATION_FAILED.fail("limit must be at most " + config.pageLimit(), field("limit"));
    }
    Instant beforeCreated = null;
    UUID beforeId = null;
    if (cursor != null) {
      var m = CURSOR.matcher(cursor);
      if (!m.matches()) {
        return VerificationError.VALIDATION_FAILED.fail("cursor must be a next_cursor from a previous page",
          field("cursor"));
      }
      long micros = Long.parseLong(m.group(1));
      beforeCreated = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
      try {
        beforeId = UUID.fromString(m.group(2));
      } catch (IllegalArgumentException e) {
        return VerificationError.VALIDATION_FAILED.fail("cursor must be a next_cursor from a previous page",
          field("cursor"));
      }
    }
    return store.page(auraId.get(), pageSize, beforeCreated, beforeId).map(page -> {
      JsonArray items = new JsonArray();
      page.forEach(c -> items.add(view(c)));
      String next = null;
      if (page.size() == pageSize) {
        VerificationStore.Challenge last = page.get(page.size() - 1);
        next = ChronoUnit.MICROS.between(Instant.EPOCH, last.createdAt()) + "." + last.id();
      }
      return new JsonObject().put("aura_id", auraId.get()).put("verifications", items).put("next_cursor", next);
    });
  }

  // ---- provider callbacks -----------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> twilioStatus(JsonObject form, String signature) {
    if (twilio.isEmpty() || twilio.get().statusCallbackUrl().isEmpty()) {
      return VerificationError.WEBHOOK_REJECTED.fail("Twilio status callbacks are not configured");
    }
    JsonObject params = form == null ? new JsonObject() : form;
    if (!twilio.get().signatureValid(twilio.get().statusCallbackUrl().get(), params, signature)) {
      log.warn("a Twilio status callback with a signature that does not verify was refused");
      return VerificationError.WEBHOOK_REJECTED.fail("X-Twilio-Signature does not verify");
    }
    String sid = params.getString("MessageSid");
    String status = params.getString("MessageStatus");
    if (sid == null || status == null) {
      return VerificationError.VALIDATION_FAILED.fail("MessageSid and MessageStatus are required",
        field(sid == null ? "MessageSid" : "MessageStatus"));
    }
    return store.deliveryStatus(sid, status).map(known -> {
      metrics.counter("auralink_verification_deliveries_total", "method", "phone", "status", status).increment();
      return new JsonObject().put("outcome", known ? "applied" : "unknown_message");
    });
  }

  @Override
  public Future<JsonObject> stripeWebhook(String signature, String body) {
    if (stripe.isEmpty()) {
      return VerificationError.WEBHOOK_REJECTED.fail("Stripe is not configured");
    }
    Optional<String> rejection = stripe.get().rejection(signature, body == null ? "" : body, Instant.now());
    if (rejection.isPresent()) {
      log.warn("a Stripe webhook was refused: {}", rejection.get());
      return VerificationError.WEBHOOK_REJECTED.fail(rejection.get());
    }
    JsonObject event = json(body);
    String eventId = event == null ? null : event.getString("id");
    JsonObject session = event == null ? null
      : event.getJsonObject("data", new JsonObject()).getJsonObject("object");
    if (eventId == null || session == null || session.getString("id") == null) {
      return VerificationError.VALIDATION_FAILED.fail("the event lacks id or data.object.id", field("id"));
    }
    String type = event.getString("type", "");
    return store.eventSeen("stripe", eventId).compose(seen -> seen
      ? Future.succeededFuture(new JsonObject().put("outcome", "duplicate"))
      : store.findByProviderRef("document", session.getString("id"))
        .compose(challenge -> challenge.isEmpty()
          ? Future.succeededFuture("unknown_session")
          : applyStripe(type, challenge.get(), session))
        // Remembered after it was applied: a failure in between leaves Stripe's retry free to apply it.
        .compose(outcome -> store.markEvent("stripe", eventId).map(first -> new JsonObject()
          .put("outcome", first ? outcome : "duplicate"))));
  }

  private Future<String> applyStripe(String type, VerificationStore.Challenge challenge, JsonObject session) {
    return switch (type) {
      case "identity.verification_session.verified" -> completeOnce(challenge.id(), null).compose(done -> done.isEmpty()
        ? Future.succeededFuture("ignored")
        : recorded(done.get()).map("completed"));
      case "identity.verification_session.requires_input" -> store.deliveryStatus(challenge.providerRef(),
          "requires_input" + Optional.ofNullable(session.getJsonObject("last_error"))
            .map(e -> ":" + e.getString("code")).orElse(""))
        .map("requires_input");
      case "identity.verification_session.canceled" -> store.cancel(challenge.id()).map("cancelled");
      case "identity.verification_session.processing" -> store.deliveryStatus(challenge.providerRef(), "processing")
        .map("processing");
      default -> Future.succeededFuture("ignored");
    };
  }

  @Override
  public Future<JsonObject> livenessWebhook(String signature, String body) {
    if (liveness.isEmpty()) {
      return VerificationError.WEBHOOK_REJECTED.fail("no liveness provider is configured");
    }
    if (!liveness.get().signatureValid(signature, body == null ? "" : body)) {
      log.warn("a liveness webhook with a signature that does not verify was refused");
      return VerificationError.WEBHOOK_REJECTED.fail("X-Liveness-Signature does not verify");
    }
    JsonObject result = json(body);
    String nonce = result == null ? null : result.getString("nonce");
    String outcome = result == null ? null : result.getString("result");
    if (nonce == null) {
      return VerificationError.VALIDATION_FAILED.fail("nonce is required", field("nonce"));
    }
    if (!"passed".equals(outcome) && !"failed".equals(outcome)) {
      return VerificationError.VALIDATION_FAILED.fail("result must be passed or failed", field("result"));
    }
    return store.findByProviderRef("biometric", codes.destinationKey("nonce", nonce)).compose(found -> {
      if (found.isEmpty()) {
        return VerificationError.VERIFICATION_NOT_FOUND.fail("no liveness check has this nonce");
      }
      VerificationStore.Challenge challenge = found.get();
      Future<Optional<VerificationStore.Completed>> applied = outcome.equals("passed")
        ? completeOnce(challenge.id(), null)
        : store.fail(challenge.id()).map(ended -> ended.map(c -> new VerificationStore.Completed(c, false)));
      return applied.compose(done -> {
        if (done.isEmpty()) {
          // A replay, or a result after the check ended: the nonce was single-use.
          return store.find(challenge.id()).compose(now -> notPending(now.orElse(challenge)));
        }
        if (outcome.equals("failed")) {
          count("biometric", "failed");
        }
        return outcome.equals("passed")
          ? recorded(done.get()).map(v -> new JsonObject().put("outcome", "completed"))
          : Future.succeededFuture(new JsonObject().put("outcome", "failed"));
      });
    });
  }

  private static JsonObject json(String body) {
    try {
      return body == null ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  // ---- housekeeping -----------------------------------------------------------------------------------------

  /**
   * Expires pending challenges whose time ran out, records completions a failure left unrecorded, and tells trust
   * what it has not acknowledged; any member may, every step is idempotent.
   */
  private void sweep() {
    store.expireDue()
      .onSuccess(expired -> {
        if (expired > 0) {
          metrics.counter("auralink_verifications_total", "method", "any", "outcome", "expired").increment(expired);
        }
      })
      .compose(v -> store.recordMissed())
      .compose(v -> store.unrecorded(RESYNC_BATCH))
      .compose(pending -> Future.join(pending.stream().map(p -> tellTrust(p[0], p[1])).toList()))
      .onFailure(e -> log.warn("verification sweep incomplete: {}", e.getMessage()));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** The challenge, if the caller may act for its AuraID; someone else's answers like a missing one. */
  private Future<VerificationStore.Challenge> owned(String id, Caller caller, String scope) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException | NullPointerException e) {
      return VerificationError.VERIFICATION_NOT_FOUND.fail("no verification " + id);
    }
    return store.find(uuid).compose(found -> {
      if (found.isEmpty()) {
        return VerificationError.VERIFICATION_NOT_FOUND.fail("no verification " + id);
      }
      if (!caller.mayActFor(found.get().auraId(), scope)) {
        return VerificationError.FORBIDDEN.fail("this verification belongs to another AuraID",
          field("verification_id"));
      }
      return Future.succeededFuture(found.get());
    });
  }

  private <T> Future<T> notPending(VerificationStore.Challenge challenge) {
    if (challenge.status().equals(PENDING) && challenge.expired(Instant.now())
      || challenge.status().equals(VerificationStore.EXPIRED)) {
      return VerificationError.CHALLENGE_EXPIRED.fail("the verification expired; start a new one",
        new JsonObject().put("status", VerificationStore.EXPIRED));
    }
    String status = challenge.status();
    return VerificationError.CHALLENGE_STATE.fail("the verification is " + status + " and cannot be completed",
      new JsonObject().put("status", status));
  }

  private JsonObject view(VerificationStore.Challenge c) {
    String status = c.status().equals(PENDING) && c.expired(Instant.now()) ? VerificationStore.EXPIRED : c.status();
    return new JsonObject()
      .put("id", c.id().toString())
      .put("aura_id", c.auraId())
      .put("method", c.method())
      .put("destination", Destinations.mask(c.method(), c.destination()))
      .put("status", status)
      .put("attempts", c.attempts())
      .put("attempts_left", Math.max(0, c.maxAttempts() - c.attempts()))
      .put("delivery_status", c.deliveryStatus())
      .put("created_at", c.createdAt().toString())
      .put("expires_at", c.expiresAt().toString())
      .put("completed_at", c.completedAt() == null ? null : c.completedAt().toString());
  }

  private void count(String method, String outcome) {
    metrics.counter("auralink_verifications_total", "method", method, "outcome", outcome).increment();
  }
}
