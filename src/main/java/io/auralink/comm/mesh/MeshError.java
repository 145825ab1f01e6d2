package io.auralink.comm.mesh;

import io.auralink.comm.platform.ErrorCode;

/** The mesh domain's failure codes and the HTTP status each one means. */
public enum MeshError implements ErrorCode {
  VALIDATION_FAILED(400),
  FORBIDDEN(403),
  NODE_NOT_FOUND(404),
  ROUTE_NOT_FOUND(404);

  private final int status;

  MeshError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
