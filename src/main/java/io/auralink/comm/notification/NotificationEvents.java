package io.auralink.comm.notification;

/**
 * What the hub publishes on {@link #DELIVERED} after each delivery reached a device (a webhook or push gateway
 * answered 2xx, or it was handed to the live stream): {@code {notification_id, kind, aura_id, app_id, device_id,
 * call_id, at}}; and on {@link #stream} each person's live-stream deliveries.
 */
public final class NotificationEvents {

  public static final String DELIVERED = "auralink.notification.delivered";

  /**
   * Where a person's live-stream deliveries are published, cluster-wide, for the member serving their stream:
   * {@code {id, type, app_id, device_id, data}}.
   */
  public static String stream(String auraId) {
    return "auralink.notification.stream." + auraId;
  }

  private NotificationEvents() {
  }
}
