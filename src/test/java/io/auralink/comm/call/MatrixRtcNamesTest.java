package io.auralink.comm.call;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Room and identity names match lk-jwt-service's (its checked test vectors) and Go's JSON encoding. */
class MatrixRtcNamesTest {

  @Test
  void the_room_name_is_lk_jwt_service_s_for_its_test_vector() {
    assertEquals("O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc", MatrixRtcNames.room("!roomid:example.com", "slot1234"));
  }

  @Test
  void the_member_identity_is_lk_jwt_service_s_for_its_test_vector() {
    assertEquals("J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU",
      MatrixRtcNames.identity("@alice:example.com", "DEVICE123", "memberABC"));
  }

  @Test
  void the_legacy_identity_is_user_colon_device() {
    assertEquals("@alice:example.com:DEVICE123", MatrixRtcNames.legacyIdentity("@alice:example.com", "DEVICE123"));
  }

  @Test
  void json_is_compact_and_escaped_as_go_writes_it() {
    assertEquals("[\"!a:b\",\"m.call#ROOM\"]", MatrixRtcNames.goJson("!a:b", "m.call#ROOM"));
    assertEquals("[\"\\u003cb\\u003e \\u0026 \\\"q\\\" \\\\ /\"]", MatrixRtcNames.goJson("<b> & \"q\" \\ /"));
    assertEquals("[\"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f\"]", MatrixRtcNames.goJson("\b\f\n\r\t\u0001\u001f\u007f"));
    assertEquals("[\"\\u2028\\u2029 é 😀\"]", MatrixRtcNames.goJson("\u2028\u2029 é 😀"));
    assertEquals("[\"\uFFFD\"]", MatrixRtcNames.goJson("\uD800"), "a lone surrogate, as Go's decoder leaves it");
  }

  @Test
  void names_use_the_standard_alphabet_without_padding() {
    String name = MatrixRtcNames.room("!room:localhost", MatrixRtcNames.LEGACY_SLOT);
    assertEquals(43, name.length());
    assertEquals(false, name.contains("=") || name.contains("-") || name.contains("_"));
  }
}
