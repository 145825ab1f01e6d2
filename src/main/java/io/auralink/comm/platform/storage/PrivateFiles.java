package io.auralink.comm.platform.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner may read, created so from the first moment: a secret written first and
 * restricted afterwards can be read in between, and a store's files (Redis's append-only file) inherit a readable
 * directory. On a file system without POSIX permissions the calls fall back to the plain ones.
 */
public final class PrivateFiles {

  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");

  private PrivateFiles() {
  }

  /** Creates {@code dir} (and missing parents) as 0700, or restricts it to 0700 if it exists. */
  public static Path directory(Path dir) throws IOException {
    if (!posix()) {
      return Files.createDirectories(dir);
    }
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, attribute(OWNER_DIRECTORY));
    }
    // createDirectories' attribute is masked by the umask and does not touch an existing directory: set it.
    Files.setPosixFilePermissions(dir, OWNER_DIRECTORY);
    return dir;
  }

  /** Writes a new file readable by its owner only (0600 from its creation); fails if it exists. */
  public static Path writeNew(Path file, String content) throws IOException {
    directory(file.toAbsolutePath().getParent());
    FileAttribute<?>[] attributes = posix() ? new FileAttribute<?>[]{attribute(OWNER_FILE)} : new FileAttribute<?>[0];
    try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(file,
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.asFileAttribute(permissions);
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
