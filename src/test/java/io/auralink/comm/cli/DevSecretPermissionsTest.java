package io.auralink.comm.cli;

import io.auralink.comm.testing.TestStores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** start-dev's secrets are created owner-only under an owner-only data directory, and read back as written. */
class DevSecretPermissionsTest {

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void the_development_secrets_are_0600_in_a_0700_data_directory() throws IOException {
    Path dataDir = TestStores.tempDir().resolve("data");
    String jwt = DevSecret.loadOrCreate(dataDir);
    String verification = DevSecret.loadOrCreate(dataDir, DevSecret.VERIFICATION_FILE);
    DevMatrixTokens.loadOrCreate(dataDir);
    for (String name : new String[]{DevSecret.FILE, DevSecret.VERIFICATION_FILE, DevMatrixTokens.FILE}) {
      assertEquals("rw-------", permissions(dataDir.resolve(name)), name);
    }
    assertEquals("rwx------", permissions(dataDir));
    assertEquals(jwt, DevSecret.loadOrCreate(dataDir), "kept across restarts");
    assertEquals(verification, DevSecret.read(dataDir, DevSecret.VERIFICATION_FILE).orElseThrow());
  }
}
