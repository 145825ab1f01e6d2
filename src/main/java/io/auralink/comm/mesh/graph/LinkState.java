package io.auralink.comm.mesh.graph;

import io.auralink.comm.mesh.quality.LinkModel;
import io.vertx.core.json.JsonObject;

/**
 * What is known of the link between two nodes (undirected: {@code a < b}): learned RTT, jitter, loss and bandwidth
 * (exponentially weighted), how many measurements, and a version for ordered replication.
 */
public record LinkState(String a, String b, double rttMs, double jitterMs, double loss, double bandwidthMbps,
                        long samples, long version, long changedAt) {

  public static String key(String x, String y) {
    return x.compareTo(y) < 0 ? x + "|" + y : y + "|" + x;
  }

  /** The link after one more measurement, stamped as the next version. */
  public static LinkState measured(LinkState current, String x, String y, double rttMs, double jitterMs, double loss,
                                   double bandwidthMbps, long now) {
    boolean first = current == null;
    String a = x.compareTo(y) < 0 ? x : y;
    String b = a.equals(x) ? y : x;
    return new LinkState(a, b,
      LinkModel.ewma(first ? 0 : current.rttMs, rttMs, first),
      LinkModel.ewma(first ? 0 : current.jitterMs, jitterMs, first),
      LinkModel.ewma(first ? 0 : current.loss, loss, first),
      bandwidthMbps > 0 ? LinkModel.ewma(first ? 0 : current.bandwidthMbps, bandwidthMbps, first || current.bandwidthMbps == 0)
        : first ? 0 : current.bandwidthMbps,
      first ? 1 : current.samples + 1, first ? 1 : current.version + 1, now);
  }

  public double oneWayDelayMs() {
    return rttMs / 2;
  }

  public double cost() {
    return LinkModel.cost(oneWayDelayMs(), jitterMs, loss);
  }

  public JsonObject toJson() {
    return new JsonObject().put("a", a).put("b", b).put("rtt_ms", rttMs).put("jitter_ms", jitterMs).put("loss", loss)
      .put("bandwidth_mbps", bandwidthMbps).put("samples", samples).put("version", version).put("changed_at", changedAt);
  }

  public static LinkState fromJson(JsonObject json) {
    return new LinkState(json.getString("a"), json.getString("b"), json.getDouble("rtt_ms"), json.getDouble("jitter_ms"),
      json.getDouble("loss"), json.getDouble("bandwidth_mbps"), json.getLong("samples"), json.getLong("version"),
      json.getLong("changed_at"));
  }
}
