package io.auralink.comm.platform.storage;

import io.auralink.comm.testing.TestStores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Secrets and the data directory are readable by their owner only, from the moment they exist. */
class PrivateFilesTest {

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void a_new_directory_and_its_missing_parents_are_0700_and_an_existing_one_is_restricted() throws IOException {
    Path base = TestStores.tempDir();
    Path dir = PrivateFiles.directory(base.resolve("data/nested"));
    assertEquals("rwx------", permissions(dir));
    Path open = Files.createDirectories(base.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertEquals("rwx------", permissions(PrivateFiles.directory(open)));
  }

  @Test
  void a_secret_is_created_0600_with_its_content_and_never_overwritten() throws IOException {
    Path file = TestStores.tempDir().resolve("data/jwt-dev-secret");
    PrivateFiles.writeNew(file, "s3cret");
    assertEquals("rw-------", permissions(file));
    assertEquals("rwx------", permissions(file.getParent()));
    assertEquals("s3cret", Files.readString(file));
    assertThrows(FileAlreadyExistsException.class, () -> PrivateFiles.writeNew(file, "other"));
  }
}
