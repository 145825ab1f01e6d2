package io.auralink.comm.call.impl;

import io.auralink.comm.call.impl.ParticipantStates.Act;
import io.auralink.comm.call.impl.ParticipantStates.State;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every participant state against every act, legal or not, against a table written out by hand. */
class ParticipantStatesTest {

  /** From each state, the acts a participant may do. */
  private static final Map<State, Set<Act>> LEGAL = Map.of(
    State.INVITED, EnumSet.of(Act.ANSWER, Act.JOIN, Act.DECLINE),
    State.JOINED, EnumSet.of(Act.LEAVE),
    State.DECLINED, EnumSet.of(Act.JOIN),
    State.LEFT, EnumSet.of(Act.JOIN));

  @Test
  void every_act_is_allowed_exactly_when_the_table_says_so() {
    int checked = 0;
    for (State from : State.values()) {
      for (Act act : Act.values()) {
        assertEquals(LEGAL.get(from).contains(act), ParticipantStates.allowed(from, act), from.id() + " → " + act);
        checked++;
      }
    }
    assertEquals(16, checked);
  }

  @Test
  void each_act_leads_to_its_state() {
    assertEquals(State.JOINED, Act.ANSWER.target());
    assertEquals(State.JOINED, Act.JOIN.target());
    assertEquals(State.DECLINED, Act.DECLINE.target());
    assertEquals(State.LEFT, Act.LEAVE.target());
  }

  @Test
  void answering_and_declining_are_for_the_invited_only() {
    for (State from : State.values()) {
      if (from != State.INVITED) {
        assertTrue(!ParticipantStates.allowed(from, Act.ANSWER) && !ParticipantStates.allowed(from, Act.DECLINE),
          from.id() + " neither answers nor declines");
      }
    }
  }

  @Test
  void states_read_back_from_their_stored_names() {
    for (State state : State.values()) {
      assertEquals(state, State.parse(state.id()).orElseThrow());
    }
    assertTrue(State.parse("ringing").isEmpty());
  }
}
