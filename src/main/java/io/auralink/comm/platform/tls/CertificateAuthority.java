package io.auralink.comm.platform.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * A small certificate authority (EC P-256, SHA-256) for start-dev and the tests: it issues listener certificates
 * (with the host names and addresses clients reach them by), client certificates for services, and cluster member
 * certificates (server and client at once: a member both accepts and opens event-bus connections). Files are PEM,
 * keys PKCS#8, written owner-readable only. Generating keys and writing files blocks: never on an event loop.
 */
public final class CertificateAuthority {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  /** What a certificate is for: its extended key usage. */
  public enum Usage {
    SERVER, CLIENT, MEMBER
  }

  /** An issued certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {

    /** Writes the certificate and key as PEM; each file is replaced whole (written beside it, then moved). */
    public void writeTo(Path certFile, Path keyFile) {
      writePem(certFile, "CERTIFICATE", encoded(certificate));
      writePem(keyFile, "PRIVATE KEY", key.getEncoded());
    }

    /** Without the key. */
    @Override
    public String toString() {
      return "Issued[" + certificate.getSubjectX500Principal().getName() + ", serial "
        + certificate.getSerialNumber().toString(16) + "]";
    }
  }

  private final Issued self;

  private CertificateAuthority(Issued self) {
    this.self = self;
  }

  /** A new self-signed CA. */
  public static CertificateAuthority create(String name, Duration validity) {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), validity)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(new Issued(sign(builder, keys.getPrivate()), keys.getPrivate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the certificate authority " + name, e);
    }
  }

  /** A CA written earlier by {@link #writeTo}. */
  public static CertificateAuthority load(Path certFile, Path keyFile) {
    try {
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
      byte[] pkcs8 = pemBody(Files.readString(keyFile, StandardCharsets.US_ASCII));
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      return new CertificateAuthority(new Issued(certificate, key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the certificate authority " + certFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the certificate authority " + certFile, e);
    }
  }

  public X509Certificate certificate() {
    return self.certificate();
  }

  public void writeTo(Path certFile, Path keyFile) {
    self.writeTo(certFile, keyFile);
  }

  /**
   * Issues a certificate named {@code commonName}; {@code hosts} (DNS names or IP addresses) become its subject
   * alternative names, which is what clients verify a server's host against.
   */
  public Issued issue(String commonName, List<String> hosts, Usage usage, Duration validity) {
    KeyPair keys = keyPair();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      List<KeyPurposeId> purposes = new ArrayList<>();
      if (usage != Usage.CLIENT) {
        purposes.add(KeyPurposeId.id_kp_serverAuth);
      }
      if (usage != Usage.SERVER) {
        purposes.add(KeyPurposeId.id_kp_clientAuth);
      }
      X509v3CertificateBuilder builder = builder(X500Name.getInstance(self.certificate().getSubjectX500Principal()
          .getEncoded()), new X500Name("CN=" + commonName), keys.getPublic(), validity)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)))
        .addExtension(Extension.authorityKeyIdentifier, false,
          extensions.createAuthorityKeyIdentifier(self.certificate()));
      if (!hosts.isEmpty()) {
        GeneralName[] names = hosts.stream()
          .map(h -> new GeneralName(h.matches("^[0-9.]+$") || h.contains(":") ? GeneralName.iPAddress : GeneralName.dNSName, h))
          .toArray(GeneralName[]::new);
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new Issued(sign(builder, self.key()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
    Instant now = Instant.now();
    // Backdated a little: a peer whose clock runs behind ours must not see a certificate from the future.
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
      Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
    throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 key generation in this JDK", e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writePem(Path file, String type, byte[] der) {
    String pem = "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, pem, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static byte[] pemBody(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
  }
}
