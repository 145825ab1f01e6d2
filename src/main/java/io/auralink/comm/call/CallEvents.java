package io.auralink.comm.call;

/**
 * What the call domain publishes on {@link #STATE} after every stored change of a call's state, once, by the member
 * whose conditional update made it:
 * {@code {event_id, call_id, state, previous_state, entry_point, external_id, media_type, caller_aura_id,
 * callee_aura_ids, room, ring_deadline, aura_id, device_id, by, reason, at}}. {@code event_id} is
 * {@code <call_id>:<state>} (a state is entered at most once, so consumers deduplicate by it); {@code aura_id} and
 * {@code device_id} name who answered (for {@code answered}: the hub tells every other device it was answered
 * elsewhere); {@code by} is who made the change ({@code user:@alice.aura}, {@code service:bridge} or
 * {@code system}); {@code reason} is the end reason ({@code ring_timeout}, {@code party_suspended}, a hang-up's
 * reason, …) or null. The first event of a call is {@code ringing} with {@code previous_state} null (or {@code failed},
 * when LiveKit refused its room before it rang); the notification hub rings the callees until {@code ring_deadline} or
 * the next event.
 *
 * <p>On {@link #PARTICIPANT}, once per change of one participant's state ({@code invited → joined | declined},
 * {@code joined → left}, back to {@code joined}): {@code {event_id, call_id, aura_id, role, state, previous_state,
 * device_id, call_state, entry_point, external_id, by, at}}; {@code event_id} is {@code <call_id>:<aura_id>:<n>}
 * ({@code n} counts that participant's changes); {@code role} is {@code caller}, {@code callee} or {@code member}
 * (added by a service); {@code call_state} is the call's state after the change (a participant change may also change
 * the call: that has its own event on {@link #STATE}). The notification hub stops ringing a callee who declined.
 */
public final class CallEvents {

  public static final String STATE = "auralink.call.state";
  public static final String PARTICIPANT = "auralink.call.participant";

  private CallEvents() {
  }
}
