package io.auralink.comm.platform;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The service's name and version, from {@code auralink-build.properties} filled in by the build. */
public final class BuildInfo {

  public static final String SERVICE = "auralink-comm";
  public static final String VERSION = load();

  private BuildInfo() {
  }

  private static String load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/auralink-build.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
