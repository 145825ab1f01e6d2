package io.auralink.comm.notification;

/**
 * What the hub publishes on {@link #DELIVERED} after each delivery reached a device (a webhook or push gateway
 * answered 2xx): {@code {notification_id, kind, aura_id, app_id, device_id, call_id, at}}.
 */
public final class NotificationEvents {

  public static final String DELIVERED = "auralink.notification.delivered";

  private NotificationEvents() {
  }
}
