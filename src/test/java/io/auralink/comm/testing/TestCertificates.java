package io.auralink.comm.testing;

import io.auralink.comm.platform.tls.CertificateAuthority;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Certificates for tests: a CA in its own directory, and certificates it issues written beside it as PEM files. */
public final class TestCertificates {

  private final CertificateAuthority authority;
  private final Path dir;

  private TestCertificates(CertificateAuthority authority, Path dir) {
    this.authority = authority;
    this.dir = dir;
  }

  public static TestCertificates newAuthority(String name) {
    Path dir = TestStores.tempDir();
    CertificateAuthority authority = CertificateAuthority.create(name, Duration.ofDays(1));
    authority.writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
    return new TestCertificates(authority, dir);
  }

  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  public PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(caFile().toString());
  }

  /** A certificate for 127.0.0.1 and localhost, written to new files. */
  public Files server(String name) {
    return issue(name, List.of("127.0.0.1", "localhost"), CertificateAuthority.Usage.SERVER);
  }

  public Files client(String commonName) {
    return issue(commonName, List.of(), CertificateAuthority.Usage.CLIENT);
  }

  public Files member(String name) {
    return issue(name, List.of("127.0.0.1", "localhost"), CertificateAuthority.Usage.MEMBER);
  }

  /** Issues a new certificate into existing files, as a rotation does. */
  public CertificateAuthority.Issued reissue(Files files, String name) {
    CertificateAuthority.Issued issued = authority.issue(name, List.of("127.0.0.1", "localhost"),
      CertificateAuthority.Usage.SERVER, Duration.ofDays(1));
    issued.writeTo(files.cert(), files.key());
    return issued;
  }

  private Files issue(String name, List<String> hosts, CertificateAuthority.Usage usage) {
    String id = UUID.randomUUID().toString();
    Files files = new Files(dir.resolve(id + "-cert.pem"), dir.resolve(id + "-key.pem"));
    authority.issue(name, hosts, usage, Duration.ofDays(1)).writeTo(files.cert(), files.key());
    return files;
  }

  /** A certificate's and its key's PEM files. */
  public record Files(Path cert, Path key) {
    public PemKeyCertOptions keyCert() {
      return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
    }
  }
}
