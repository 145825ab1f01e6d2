package io.auralink.comm.api;

import java.util.Map;

/** The operations one domain serves, keyed by their {@code operationId} in {@code openapi.yaml}. */
public interface RouteGroup {

  Map<String, ApiOperation> operations();
}
