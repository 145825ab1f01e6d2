package io.auralink.comm.cli;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** start-dev's data-at-rest keys: generated once, owner-readable only, the same after a restart, and valid. */
class DevDataKeysTest {

  @Test
  void keys_are_created_once_kept_private_and_read_back(@TempDir Path dir) throws Exception {
    Map<String, String> first = DevDataKeys.loadOrCreate(dir);
    Path file = dir.resolve(DevDataKeys.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(first, DevDataKeys.loadOrCreate(dir), "a restart keeps the keys its database was sealed under");
    assertNotEquals(first, DevDataKeys.loadOrCreate(dir.resolve("other")), "another data dir, other keys");

    Map<String, String> values = new HashMap<>(first);
    values.put("AURALINK_DATABASE_URL", "postgresql://app:pw@localhost:5432/auralink");
    values.put("AURALINK_REDIS_URL", "redis://localhost:6379");
    values.put("AURALINK_JWT_SECRET", "x".repeat(32));
    values.put("AURALINK_VERIFICATION_CODE_KEY", "v".repeat(32));
    AppConfig.DataProtection data = AppConfig.from(Settings.of(values)).data();
    assertEquals("dev1", data.currentKeyId());
    assertEquals(32, data.keys().get("dev1").length);
    assertTrue(data.lookupKey().length >= 32);
  }
}
