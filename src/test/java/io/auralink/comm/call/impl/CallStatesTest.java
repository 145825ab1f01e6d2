package io.auralink.comm.call.impl;

import io.auralink.comm.call.impl.CallStates.State;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every pair of states, legal or not, against the table the issue gives. */
class CallStatesTest {

  /** The legal transitions, written out once by hand: from → the states it may become. */
  private static final Map<State, Set<State>> LEGAL = Map.of(
    State.RINGING, EnumSet.of(State.ANSWERED, State.DECLINED, State.MISSED, State.CANCELLED, State.FAILED,
      State.TERMINATED),
    State.ANSWERED, EnumSet.of(State.COMPLETED, State.TERMINATED),
    State.COMPLETED, EnumSet.noneOf(State.class),
    State.DECLINED, EnumSet.noneOf(State.class),
    State.MISSED, EnumSet.noneOf(State.class),
    State.CANCELLED, EnumSet.noneOf(State.class),
    State.FAILED, EnumSet.noneOf(State.class),
    State.TERMINATED, EnumSet.noneOf(State.class));

  @Test
  void every_transition_is_allowed_exactly_when_the_table_says_so() {
    int checked = 0;
    for (State from : State.values()) {
      for (State to : State.values()) {
        assertEquals(LEGAL.get(from).contains(to), CallStates.allowed(from, to), from.id() + " → " + to.id());
        checked++;
      }
    }
    assertEquals(64, checked);
  }

  @Test
  void ended_calls_never_come_back_and_nothing_returns_to_ringing() {
    for (State from : State.values()) {
      if (!from.live()) {
        for (State to : State.values()) {
          assertFalse(CallStates.allowed(from, to), from.id() + " is ended; " + to.id() + " refused");
        }
      }
      assertFalse(CallStates.allowed(from, State.RINGING), "nothing goes back to ringing from " + from.id());
    }
  }

  @Test
  void only_ringing_and_answered_are_live() {
    for (State state : State.values()) {
      assertEquals(state == State.RINGING || state == State.ANSWERED, state.live(), state.id());
    }
  }

  @Test
  void states_read_back_from_their_stored_names() {
    for (State state : State.values()) {
      assertEquals(state, State.parse(state.id()).orElseThrow());
    }
    assertTrue(State.parse("active").isEmpty(), "the original's vocabulary is not ours");
  }
}
