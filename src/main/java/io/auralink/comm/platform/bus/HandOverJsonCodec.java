package io.auralink.comm.platform.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A JSON object handed over, not copied, when delivered inside the JVM (Vert.x's own codec deep-copies it). Only for
 * bodies the sender builds for one message and never touches again, as service proxies do with their arguments.
 * Over the wire it is the same encoding as Vert.x's JSON codec.
 */
final class HandOverJsonCodec implements MessageCodec<JsonObject, JsonObject> {

  static final String NAME = "auralink.hand-over-json";

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
