package io.auralink.comm.presence;

/**
 * What the presence domain publishes on {@link #CHANGED} when a person's devices change, coalesced across the
 * cluster: at most one event per person per {@code AURALINK_PRESENCE_EVENT_INTERVAL} (1 s by default), the last one
 * carrying the state after the last change: {@code {aura_id, state, status_message, app_id, last_seen, devices,
 * at}} ({@code devices}: how many are present). Events are for the node's own consumers (the notification hub, the
 * Matrix mirror): they are not filtered by privacy.
 */
public final class PresenceEvents {

  public static final String CHANGED = "auralink.presence.changed";

  private PresenceEvents() {
  }
}
