package io.auralink.comm.api;

import io.auralink.comm.platform.ErrorCode;

/**
 * The codes the HTTP edge answers with by itself, before or around a domain: the request's shape, the token, the
 * path and method, size and media type, and a dependency that is missing or slow. Domains add their own codes
 * ({@code IdentityError}, {@code TrustError}, {@code MeshError}); a name used by several means the same everywhere.
 */
public enum EdgeError implements ErrorCode {
  /** A field, parameter or body does not meet the contract; {@code details.field} and {@code details.errors}. */
  VALIDATION_FAILED(400),
  /** The request could not be read at all (e.g. a broken URL encoding), before any field could be checked. */
  BAD_REQUEST(400),
  AUTH_REQUIRED(401),
  INVALID_TOKEN(401),
  FORBIDDEN(403),
  /** No such path (a missing resource on a known path has its own code, such as {@code AURAID_NOT_FOUND}). */
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  PAYLOAD_TOO_LARGE(413),
  /** The request line (method, path and query) is longer than the edge reads. */
  URI_TOO_LONG(414),
  UNSUPPORTED_MEDIA_TYPE(415),
  /** A rate limit of the edge is spent; {@code Retry-After} and {@code details.retry_after_seconds} say when to retry. */
  RATE_LIMITED(429),
  /** The request's headers together (or one of them) are larger than the edge reads. */
  HEADERS_TOO_LARGE(431),
  INTERNAL_ERROR(500),
  SERVICE_UNAVAILABLE(503),
  OVERLOADED(503),
  /** This node sees fewer cluster members than the minimum: it refuses changes (reads are served). */
  CLUSTER_MINORITY(503),
  /** The member serving the request did not answer in time: the outcome of a change is unknown. */
  UPSTREAM_TIMEOUT(504);

  private final int status;

  EdgeError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
