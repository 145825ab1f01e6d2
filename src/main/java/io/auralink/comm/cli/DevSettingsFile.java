package io.auralink.comm.cli;

import io.auralink.comm.platform.storage.PrivateFiles;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Settings start-dev generates once and keeps under the data directory (a properties file, owner-readable only from
 * its creation), so that a restart finds the same secrets its stores and peers were set up with.
 */
final class DevSettingsFile {

  private DevSettingsFile() {
  }

  /** The settings {@code names} kept in {@code file}, generated and written (with {@code comment}) the first time. */
  static Map<String, String> loadOrCreate(Path file, String comment, Supplier<Map<String, String>> generate,
                                          String... names) {
    return read(file, names).orElseGet(() -> {
      Map<String, String> settings = generate.get();
      StringBuilder content = new StringBuilder("# ").append(comment).append('\n');
      for (String name : names) {
        content.append(name).append('=').append(settings.get(name)).append('\n');
      }
      try {
        PrivateFiles.writeNew(file, content.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
      return settings;
    });
  }

  /** The settings kept in {@code file}, if it exists and holds every one of {@code names}. */
  static Optional<Map<String, String>> read(Path file, String... names) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Properties properties = new Properties();
      properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      Map<String, String> settings = new LinkedHashMap<>();
      for (String name : names) {
        String value = properties.getProperty(name);
        if (value == null) {
          return Optional.empty();
        }
        settings.put(name, value);
      }
      return Optional.of(Map.copyOf(settings));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** 256 random bits. */
  static byte[] secret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
