package io.auralink.comm.platform;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The service's name and version, and the version of the Swagger UI bundled for {@code /docs}, from
 * {@code auralink-build.properties} filled in by the build.
 */
public final class BuildInfo {

  public static final String SERVICE = "auralink-comm";
  private static final Properties BUILD = load();
  public static final String VERSION = BUILD.getProperty("version", "dev");
  /** The {@code org.webjars:swagger-ui} version in the pom: the directory of its files on the class path. */
  public static final String SWAGGER_UI_VERSION = BUILD.getProperty("swagger-ui.version", "unknown");

  private BuildInfo() {
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/auralink-build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // A jar without the file is a development build: the defaults above describe it.
    }
    return properties;
  }
}
