package io.auralink.comm.platform.config;

/** A setting is missing or malformed; the message always starts with the setting's name. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + " " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
