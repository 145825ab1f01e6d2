package io.auralink.comm.mesh.quality;

/**
 * How links are learned, estimated and costed.
 * <ul>
 *   <li><b>Learned:</b> each measurement moves a link's RTT, jitter, loss and bandwidth by an exponentially weighted
 *       average with weight {@link #ALPHA} (the first one is taken as is).</li>
 *   <li><b>Estimated</b> (no measurement between two nodes): one-way delay {@code 5 ms + km / 100} (light in fibre
 *       covers about 200 km per ms; real routes are about twice the great-circle distance), without coordinates
 *       15 ms in the same region and 80 ms otherwise; jitter and loss from both ends' learned access
 *       ({@link NodeQuality}), 2 ms and 0.5 % between two nodes never observed.</li>
 *   <li><b>Cost</b> of a link, additive along a path, in delay-equivalent milliseconds:
 *       {@code one-way delay + 2·jitter + 150 ms per 1 % loss}: the E-model's low-delay slope (0.024 R per ms) against
 *       the R lost to a first percent of loss (about 3.7), so that the cheapest path is the one the E-model rates best
 *       for the delays calls actually see.</li>
 * </ul>
 */
public final class LinkModel {

  public static final double ALPHA = 0.2;
  public static final double ESTIMATED_JITTER_MS = 2;
  public static final double ESTIMATED_LOSS = 0.005;
  public static final double SAME_REGION_DELAY_MS = 15;
  public static final double OTHER_REGION_DELAY_MS = 80;
  public static final double LOSS_COST_MS_PER_PERCENT = 150;
  private static final double EARTH_RADIUS_KM = 6371;

  private LinkModel() {
  }

  public static double ewma(double current, double measured, boolean first) {
    return first ? measured : current + ALPHA * (measured - current);
  }

  public static double cost(double oneWayDelayMs, double jitterMs, double loss) {
    return oneWayDelayMs + 2 * jitterMs + LOSS_COST_MS_PER_PERCENT * loss * 100;
  }

  /** Estimated one-way delay between two places; NaN coordinates mean unknown. */
  public static double estimatedDelayMs(double lat1, double lon1, double lat2, double lon2, boolean sameRegion) {
    if (Double.isNaN(lat1) || Double.isNaN(lat2)) {
      return sameRegion ? SAME_REGION_DELAY_MS : OTHER_REGION_DELAY_MS;
    }
    return 5 + distanceKm(lat1, lon1, lat2, lon2) / 100;
  }

  /** Great-circle distance (haversine). */
  public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
      + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }
}
