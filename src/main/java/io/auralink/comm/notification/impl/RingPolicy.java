package io.auralink.comm.notification.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The pure decisions of ring control and delivery: whether a do-not-disturb window covers an instant in the
 * person's time zone, which devices ring, and when a failed delivery is tried again.
 */
public final class RingPolicy {

  private RingPolicy() {
  }

  /**
   * Whether {@code at} falls in one of the windows {@code [{start: "HH:MM", end: "HH:MM", days?: [1..7]}]} in
   * {@code zone} (days: ISO, Monday = 1; a window whose end is before its start runs past midnight and belongs to
   * the day it starts on).
   */
  public static boolean inDnd(JsonArray windows, String zone, Instant at) {
    ZonedDateTime local = at.atZone(ZoneId.of(zone));
    LocalTime time = local.toLocalTime();
    for (int i = 0; i < windows.size(); i++) {
      JsonObject window = windows.getJsonObject(i);
      LocalTime start = LocalTime.parse(window.getString("start"));
      LocalTime end = LocalTime.parse(window.getString("end"));
      JsonArray days = window.getJsonArray("days");
      if (!start.isAfter(end)) {
        if (!time.isBefore(start) && time.isBefore(end) && onDay(days, local.getDayOfWeek())) {
          return true;
        }
      } else if (!time.isBefore(start) && onDay(days, local.getDayOfWeek())
        || time.isBefore(end) && onDay(days, local.getDayOfWeek().minus(1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean onDay(JsonArray days, DayOfWeek day) {
    return days == null || days.isEmpty() || days.contains(day.getValue());
  }

  /** One device a person could be rung on. */
  public record Target(String appId, String deviceId) {
  }

  /**
   * The devices to ring: every one with {@code ring = all} (or no preferred app); with {@code preferred}, those of
   * the first preferred app that has a device present ({@code presentApps}), else of the first preferred app with
   * any device.
   */
  public static List<Target> targets(List<Target> devices, String ring, List<String> preferredApps,
                                     Set<String> presentApps) {
    if (!"preferred".equals(ring) || preferredApps.isEmpty()) {
      return devices;
    }
    for (String app : preferredApps) {
      if (presentApps.contains(app) && devices.stream().anyMatch(d -> d.appId().equals(app))) {
        return devices.stream().filter(d -> d.appId().equals(app)).toList();
      }
    }
    for (String app : preferredApps) {
      List<Target> ofApp = devices.stream().filter(d -> d.appId().equals(app)).toList();
      if (!ofApp.isEmpty()) {
        return ofApp;
      }
    }
    return new ArrayList<>(devices);
  }

  /**
   * The wait before attempt {@code attempts + 1}: the initial back-off doubled per attempt made, capped, with up to
   * a quarter of it as random jitter (so that retries of many deliveries do not arrive together).
   */
  public static Duration backoff(int attempts, Duration initial, Duration max, double random) {
    long base = initial.toMillis() << Math.min(30, Math.max(0, attempts - 1));
    long capped = Math.min(max.toMillis(), base <= 0 ? max.toMillis() : base);
    return Duration.ofMillis(capped - (long) (capped * 0.25 * random));
  }
}
