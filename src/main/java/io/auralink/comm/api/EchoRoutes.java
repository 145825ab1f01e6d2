package io.auralink.comm.api;

import io.auralink.comm.echo.EchoService;

import java.util.Map;

/** The echo operation: the edge and one event-bus round trip, the ceiling of every domain operation. */
final class EchoRoutes implements RouteGroup {

  private final EchoService echo;

  EchoRoutes(EchoService echo) {
    this.echo = echo;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.of("echo", ctx -> echo.echo(ctx.body().asJsonObject(), Callers.of(ctx)).map(Reply::ok));
  }
}
