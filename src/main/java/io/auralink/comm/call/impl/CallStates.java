package io.auralink.comm.call.impl;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one state machine of every call, whatever its entry point: {@code ringing → answered → completed};
 * {@code ringing → declined | missed | cancelled | failed}; any live state → {@code terminated} (a party suspended,
 * or an operator). Ended states never change again. Pure: the store applies a transition as one conditional update
 * from {@link #sources} of the target state, so the database decides races by the same table.
 */
public final class CallStates {

  /** A call's states; {@link #live} ones may still change. */
  public enum State {
    RINGING, ANSWERED, COMPLETED, DECLINED, MISSED, CANCELLED, FAILED, TERMINATED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public boolean live() {
      return this == RINGING || this == ANSWERED;
    }

    public static Optional<State> parse(String id) {
      for (State state : values()) {
        if (state.id().equals(id)) {
          return Optional.of(state);
        }
      }
      return Optional.empty();
    }
  }

  private CallStates() {
  }

  /** Whether a call in {@code from} may move to {@code to}. */
  public static boolean allowed(State from, State to) {
    return sources(to).contains(from);
  }

  /** The states a call may be in to move to {@code to}. */
  public static Set<State> sources(State to) {
    return switch (to) {
      case RINGING -> EnumSet.noneOf(State.class);
      case ANSWERED, DECLINED, MISSED, CANCELLED, FAILED -> EnumSet.of(State.RINGING);
      case COMPLETED -> EnumSet.of(State.ANSWERED);
      case TERMINATED -> EnumSet.of(State.RINGING, State.ANSWERED);
    };
  }
}
