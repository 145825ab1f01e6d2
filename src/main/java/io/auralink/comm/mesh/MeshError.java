package io.auralink.comm.mesh;

import io.auralink.comm.platform.ErrorCode;

/** The mesh domain's failure codes and the HTTP status each one means. */
public enum MeshError implements ErrorCode {
  VALIDATION_FAILED(400),
  FORBIDDEN(403),
  AURAID_NOT_FOUND(404),
  NODE_NOT_FOUND(404),
  ROUTE_NOT_FOUND(404),
  /** The owner has {@code AURALINK_MESH_MAX_NODES_PER_PERSON} nodes; {@code details.max_nodes}. */
  NODE_LIMIT_REACHED(409),
  /** The identity registry, asked whether an AuraID exists, did not answer. */
  IDENTITY_UNAVAILABLE(503);

  private final int status;

  MeshError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
