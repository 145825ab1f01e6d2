package io.auralink.comm.matrix.impl;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MatrixRTC membership events read as the bridge follows them, from Element Call's recorded traffic and by hand. */
class RtcMembershipTest {

  /** What Synapse sent our Application Service for Element Call's membership (peers/as_requests.jsonl). */
  private static final JsonObject RECORDED = new JsonObject("""
      {"age": 74, "content": {"application": "m.call", "call_id": "", "device_id": "SPYRHITQIZ", "expires": 14400000,
       "foci_preferred": [{"livekit_alias": "!tfxBGIpcEwowRgqyMm:localhost",
         "livekit_service_url": "http://127.0.0.1:8080/livekit/jwt", "type": "livekit"}],
       "focus_active": {"focus_selection": "oldest_membership", "type": "livekit"}, "scope": "m.room"},
       "event_id": "$db8ZFNHVf7btA7SOjt4Ma5Jy8_dNQrP_ENVeOUWSEpo", "origin_server_ts": 1795312923849,
       "room_id": "!tfxBGIpcEwowRgqyMm:localhost", "sender": "@carol:localhost",
       "state_key": "_@carol:localhost_SPYRHITQIZ", "type": "org.matrix.msc3401.call.member"}""");

  @Test
  void element_calls_membership_joins_the_room_slot_for_four_hours_from_its_event() {
    RtcMembership m = RtcMembership.parse(RECORDED).orElseThrow();
    assertEquals("_@carol:localhost_SPYRHITQIZ", m.key());
    assertEquals("m.call#ROOM", m.slotId(), "the slot lk-jwt-service hashes for /sfu/get");
    assertEquals("@carol:localhost", m.userId());
    assertEquals("SPYRHITQIZ", m.deviceId());
    assertTrue(m.joined());
    assertEquals(1795312923849L + 14_400_000L, m.expiresAtMillis());
    assertTrue(m.activeAt(1795312923849L + 1000));
    assertFalse(m.activeAt(1795312923849L + 14_400_000L), "expired exactly at created + expires");
  }

  @Test
  void created_ts_and_expires_ts_decide_the_expiry_and_an_empty_content_is_a_leave() {
    JsonObject refreshed = RECORDED.copy();
    refreshed.getJsonObject("content").put("created_ts", 1000L).put("expires", 500L);
    assertEquals(1500L, RtcMembership.parse(refreshed).orElseThrow().expiresAtMillis());
    JsonObject absolute = RECORDED.copy();
    absolute.getJsonObject("content").put("expires_ts", 42L);
    assertEquals(42L, RtcMembership.parse(absolute).orElseThrow().expiresAtMillis());
    JsonObject left = RECORDED.copy().put("content", new JsonObject());
    RtcMembership leave = RtcMembership.parse(left).orElseThrow();
    assertFalse(leave.joined());
    assertEquals("_@carol:localhost_SPYRHITQIZ", leave.key());
    JsonObject named = RECORDED.copy();
    named.getJsonObject("content").put("call_id", "standup");
    assertEquals("m.call#standup", RtcMembership.parse(named).orElseThrow().slotId());
  }

  @Test
  void a_membership_without_a_livekit_focus_or_device_is_not_followed() {
    JsonObject mesh = RECORDED.copy();
    mesh.getJsonObject("content").put("focus_active", new JsonObject().put("type", "full_mesh")).remove("foci_preferred");
    assertEquals(Optional.empty(), RtcMembership.parse(mesh));
    JsonObject deviceless = RECORDED.copy();
    deviceless.getJsonObject("content").remove("device_id");
    assertEquals(Optional.empty(), RtcMembership.parse(deviceless));
  }

  @Test
  void the_sticky_rtc_member_form_joins_and_leaves_by_its_member_id() {
    JsonObject join = new JsonObject().put("type", "m.rtc.member").put("sender", "@a:hs").put("origin_server_ts", 10L)
      .put("content", new JsonObject().put("slot_id", "m.call#ROOM")
        .put("member", new JsonObject().put("id", "m1").put("membership", "join").put("device_id", "D"))
        .put("transports", new JsonObject().put("published", new io.vertx.core.json.JsonArray()
          .add(new JsonObject().put("type", "livekit")))));
    RtcMembership joined = RtcMembership.parse(join).orElseThrow();
    assertEquals("m1", joined.key());
    assertTrue(joined.joined());
    assertEquals(10L + RtcMembership.STICKY_EXPIRY.toMillis(), joined.expiresAtMillis());
    JsonObject leave = join.copy();
    leave.getJsonObject("content").getJsonObject("member").put("membership", "leave");
    assertFalse(RtcMembership.parse(leave).orElseThrow().joined());
  }
}
