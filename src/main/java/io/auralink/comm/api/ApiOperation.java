package io.auralink.comm.api;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * The handler of one operation of the OpenAPI document. It runs after authentication and validation, and
 * answers with a {@link Reply} or fails: with an {@link ApiException} for an expected refusal, with anything
 * else for a fault (500, logged).
 */
@FunctionalInterface
public interface ApiOperation {

  Future<Reply> handle(RoutingContext ctx);
}
