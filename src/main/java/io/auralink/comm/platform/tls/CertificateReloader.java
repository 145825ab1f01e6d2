package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.X509KeyManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Hot reload of a listener's certificate: every interval it looks at the modification time and size of the
 * certificate and key files (asynchronously) and, when either changed, has the server rebuild its TLS context from
 * them, once the key is seen to belong to the certificate. New connections then get the new certificate; open ones keep the session they negotiated. A reload that
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
        : vertx.executeBlocking(this::readConsistentPair, false)
          .compose(keyCert -> server.updateSSLOptions(options.copy().setKeyCertOptions(keyCert)))
          .onSuccess(updated -> {
            loadedStamp = stamp;
            LOG.info("TLS certificate reloaded {} {}", kv("listener", listener), kv("cert", files.cert().toString()));
          }))
      .onFailure(e -> LOG.warn("TLS certificate not reloaded; the previous one stays in use until the files are "
        + "consistent {} {} {}", kv("listener", listener), kv("cert", files.cert().toString()),
        kv("error", String.valueOf(e.getMessage()))))
      .onComplete(done -> looking = false);
  }

  /**
   * Reads both files (on a worker) and checks that the key belongs to the certificate: the two are usually
   * replaced one after the other, and a server given a new certificate with the old key fails every handshake.
   * The contents are handed to the server as values, so it uses exactly the pair that was checked.
   */
  private PemKeyCertOptions readConsistentPair() throws Exception {
    PemKeyCertOptions pair = new PemKeyCertOptions()
      .setCertValue(Buffer.buffer(Files.readAllBytes(files.cert())))
      .setKeyValue(Buffer.buffer(Files.readAllBytes(files.key())));
    X509KeyManager keys = (X509KeyManager) pair.getKeyManagerFactory(vertx).getKeyManagers()[0];
    String alias = keys.getServerAliases("EC", null) != null ? keys.getServerAliases("EC", null)[0]
      : keys.getServerAliases("RSA", null)[0];
    PrivateKey key = keys.getPrivateKey(alias);
    PublicKey certified = keys.getCertificateChain(alias)[0].getPublicKey();
    byte[] probe = "auralink-certificate-reload".getBytes(StandardCharsets.US_ASCII);
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certified);
    verifier.update(probe);
    if (!verifier.verify(signer.sign())) {
      throw new IllegalStateException("the key in " + files.key() + " does not belong to the certificate in "
        + files.cert());
    }
    return pair;
  }

  private static Future<String> stamp(Vertx vertx, Transport.ListenerTls files) {
    Future<FileProps> cert = vertx.fileSystem().props(files.cert().toString());
    Future<FileProps> key = vertx.fileSystem().props(files.key().toString());
    return Future.all(cert, key).map(both -> cert.result().lastModifiedTime() + "/" + cert.result().size() + "/"
      + key.result().lastModifiedTime() + "/" + key.result().size());
  }
}
