package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Hot reload of a listener's certificate: every interval it looks at the modification time and size of the
 * certificate and key files (asynchronously) and, when either changed, has the server rebuild its TLS context from
 * them. New connections then get the new certificate; open ones keep the session they negotiated. A reload that
 * fails (a key that does not match its certificate while the two files are being replaced one after the other)
 * keeps the previous certificate and is tried again at the next look.
 */
public final class CertificateReloader {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final Transport.ListenerTls files;
  private final ServerSSLOptions options;
  private final String listener;
  private String loadedStamp;
  private boolean looking;
  private long timer = -1;

  private CertificateReloader(Vertx vertx, Transport.ListenerTls files, ServerSSLOptions options, String listener,
                              String loadedStamp) {
    this.vertx = vertx;
    this.files = files;
    this.options = options;
    this.listener = listener;
    this.loadedStamp = loadedStamp;
  }

  /** Notes the files' current state; call it before the server starts listening with {@code options}. */
  public static Future<CertificateReloader> prepare(Vertx vertx, Transport.ListenerTls files, ServerSSLOptions options,
                                                    String listener) {
    return stamp(vertx, files).map(stamp -> new CertificateReloader(vertx, files, options, listener, stamp));
  }

  /** Starts looking at the files every {@code interval} and reloading them into {@code server}. */
  public void watch(HttpServer server, Duration interval) {
    timer = vertx.setPeriodic(interval.toMillis(), id -> look(server));
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void look(HttpServer server) {
    if (looking) {
      return;
    }
    looking = true;
    stamp(vertx, files)
      .compose(stamp -> stamp.equals(loadedStamp) ? Future.succeededFuture()
        // Forced: the options name the same paths, so only a rebuild reads the new contents.
        : server.updateSSLOptions(options, true).onSuccess(updated -> {
          loadedStamp = stamp;
          LOG.info("TLS certificate reloaded {} {}", kv("listener", listener), kv("cert", files.cert().toString()));
        }))
      .onFailure(e -> LOG.warn("TLS certificate not reloaded; the previous one stays in use until the files are "
        + "consistent {} {} {}", kv("listener", listener), kv("cert", files.cert().toString()),
        kv("error", String.valueOf(e.getMessage()))))
      .onComplete(done -> looking = false);
  }

  private static Future<String> stamp(Vertx vertx, Transport.ListenerTls files) {
    Future<FileProps> cert = vertx.fileSystem().props(files.cert().toString());
    Future<FileProps> key = vertx.fileSystem().props(files.key().toString());
    return Future.all(cert, key).map(both -> cert.result().lastModifiedTime() + "/" + cert.result().size() + "/"
      + key.result().lastModifiedTime() + "/" + key.result().size());
  }
}
