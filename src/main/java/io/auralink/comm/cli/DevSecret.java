package io.auralink.comm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The development JWT secret of start-dev: 256 random bits, created once and kept (owner-readable only) under the
 * data directory, so that tokens minted by {@code token} keep working across restarts.
 */
final class DevSecret {

  static final String FILE = "jwt-dev-secret";

  private DevSecret() {
  }

  static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    return read(dataDir).orElseGet(() -> {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      try {
        Files.createDirectories(dataDir);
        Files.writeString(file, secret, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the development JWT secret to " + file, e);
      }
      return secret;
    });
  }

  static Optional<String> read(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the development JWT secret " + file, e);
    }
  }
}
