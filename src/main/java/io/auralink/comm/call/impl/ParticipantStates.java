package io.auralink.comm.call.impl;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one participant in a call, beside the call's own ({@link CallStates}): {@code invited → joined |
 * declined}; {@code joined → left}; {@code left → joined} (back while the call is live); {@code declined → joined}
 * (changed their mind while the call is live, by joining, not by answering). A caller starts {@code joined}, a callee
 * {@code invited}, a participant added by a service joins at once. Pure: the store applies a change as one
 * conditional update from {@link #sources} of the target, under the call's row lock.
 */
public final class ParticipantStates {

  public enum State {
    INVITED, JOINED, DECLINED, LEFT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
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

  /** What a participant does; the same target state can be reached from different sources by different acts. */
  public enum Act {
    /** A callee answers the ring (or a call already answered by another). */
    ANSWER(State.JOINED),
    /** Joins, or comes back, or changes their mind after declining. */
    JOIN(State.JOINED),
    DECLINE(State.DECLINED),
    LEAVE(State.LEFT);

    private final State target;

    Act(State target) {
      this.target = target;
    }

    public State target() {
      return target;
    }
  }

  private ParticipantStates() {
  }

  /** Whether a participant in {@code from} may do {@code act}. */
  public static boolean allowed(State from, Act act) {
    return sources(act).contains(from);
  }

  /** The states a participant may be in to do {@code act}. */
  public static Set<State> sources(Act act) {
    return switch (act) {
      case ANSWER, DECLINE -> EnumSet.of(State.INVITED);
      case JOIN -> EnumSet.of(State.INVITED, State.LEFT, State.DECLINED);
      case LEAVE -> EnumSet.of(State.JOINED);
    };
  }
}
