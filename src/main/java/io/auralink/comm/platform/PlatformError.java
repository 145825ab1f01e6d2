package io.auralink.comm.platform;

/**
 * Failure codes of the ground floor, shared by every domain: a dependency of the node (PostgreSQL, its pool, a
 * deadline, the cluster member serving the request) failed, not the request; or text no store can hold got through. Each is a 503 that carries {@code details.retry_after_seconds}, which the edge
 * also sends as {@code Retry-After}; see {@link io.auralink.comm.platform.storage.StorageFailures}.
 */
public enum PlatformError implements ErrorCode {
  /**
   * Text PostgreSQL cannot store reached it (a NUL, SQLSTATE {@code 22021}, or a NUL escape in JSON, {@code 22P05}):
   * the edge refuses such text first, naming the field; this is the backstop for any other way in. Same meaning as
   * the edge's.
   */
  VALIDATION_FAILED(400),
  /** PostgreSQL cannot be reached, refused the connection or lost it; retry when it is back. */
  DATABASE_UNAVAILABLE(503),
  /** The node's PostgreSQL pool and its wait queue are full; retry shortly. Same meaning as the edge's. */
  OVERLOADED(503),
  /** A dependency did not answer within its deadline; retry shortly. Same meaning as the edge's. */
  SERVICE_UNAVAILABLE(503),
  /**
   * The cluster member serving the request left the cluster before answering: a change may or may not have been
   * made; retry (the next request goes to a survivor). See {@link io.auralink.comm.platform.bus.MemberRouting}.
   */
  MEMBER_LEFT(503),
  /**
   * This member is cut off from the cluster's majority: Hazelcast's split-brain protection refused a change to the
   * mesh maps. Same meaning as the edge's; retry (another member may take it).
   */
  CLUSTER_MINORITY(503);

  private final int status;

  PlatformError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
