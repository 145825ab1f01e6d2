package io.auralink.comm.cli;

import io.auralink.comm.platform.storage.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The development secrets of start-dev: 256 random bits each, created once and kept (owner-readable only) under the
 * data directory: the JWT secret, so that tokens minted by {@code token} keep working across restarts, and the key
 * verification codes are hashed under, so that pending codes stay valid.
 */
final class DevSecret {

  static final String FILE = "jwt-dev-secret";
  static final String VERIFICATION_FILE = "verification-dev-key";

  private DevSecret() {
  }

  static String loadOrCreate(Path dataDir) {
    return loadOrCreate(dataDir, FILE);
  }

  static String loadOrCreate(Path dataDir, String name) {
    Path file = dataDir.resolve(name);
    return read(dataDir, name).orElseGet(() -> {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      try {
        PrivateFiles.writeNew(file, secret);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the development secret " + file, e);
      }
      return secret;
    });
  }

  static Optional<String> read(Path dataDir) {
    return read(dataDir, FILE);
  }

  static Optional<String> read(Path dataDir, String name) {
    Path file = dataDir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the development secret " + file, e);
    }
  }
}
