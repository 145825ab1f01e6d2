package io.auralink.comm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A small blocking HTTP client for tests, pointed at one node. */
public final class Http implements AutoCloseable {

  private final WebClient client;

  public Http(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** Over TLS, trusting the certificates this CA file issued (host names checked). */
  public Http(Vertx vertx, int port, java.nio.file.Path caFile) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
      .setSsl(true).setVerifyHost(true)
      .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString())));
  }

  public HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, null, null);
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    return Await.result(body == null ? request.send() : request.sendBuffer(body));
  }

  public HttpResponse<Buffer> post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body == null ? null : body.toBuffer());
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, path);
  }

  /**
   * Registers {@code username} (account {@code acct-<username>}) with a token holding {@code identity:write};
   * answers the AuraID, failing the test unless it was created.
   */
  public String register(String token, String username) {
    HttpResponse<Buffer> response = post("/internal/auraid", token,
      new JsonObject().put("username", username).put("user_id", "acct-" + username));
    if (response.statusCode() != 201) {
      throw new AssertionError("registering " + username + " answered " + response.statusCode() + ": "
        + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("aura_id");
  }

  /** The {@code error} object of an error envelope. */
  public static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  @Override
  public void close() {
    client.close();
  }
}
