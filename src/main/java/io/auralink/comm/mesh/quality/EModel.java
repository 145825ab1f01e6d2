package io.auralink.comm.mesh.quality;

/**
 * Call quality from the ITU-T G.107 E-model, in the simplified form used by independent implementations (see
 * PROTOCOLS.md §9): {@code R = 93.2 − Id − Ie,eff}, with
 * <ul>
 *   <li>{@code Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)}, d = one-way mouth-to-ear delay in ms: network delay,
 *       plus a jitter buffer of twice the jitter, plus {@link #CODEC_DELAY_MS} of packetisation;</li>
 *   <li>{@code Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl)}, Ppl = loss in percent, random loss (BurstR = 1),
 *       with G.711 + packet-loss concealment (Ie = 0, Bpl = 25.1): published values, where Opus has none;</li>
 *   <li>MOS from R by G.107 Annex B, clamped to [1, 4.5].</li>
 * </ul>
 */
public final class EModel {

  public static final double R_DEFAULT = 93.2;
  public static final double CODEC_DELAY_MS = 10;
  /** What each ms of one-way delay costs in R below the 177.3 ms knee. */
  public static final double R_PER_DELAY_MS = 0.024;
  private static final double IE = 0;
  private static final double BPL = 25.1;
  private static final double BURST_R = 1;

  private EModel() {
  }

  /** The R factor of a path with this one-way delay, jitter (ms) and loss (fraction 0–1). */
  public static double rFactor(double oneWayDelayMs, double jitterMs, double loss) {
    double d = oneWayDelayMs + 2 * jitterMs + CODEC_DELAY_MS;
    double id = R_PER_DELAY_MS * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
    double ppl = Math.max(0, Math.min(100, loss * 100));
    double ieEff = IE + (95 - IE) * ppl / (ppl / BURST_R + BPL);
    return R_DEFAULT - id - ieEff;
  }

  /** G.107 Annex B. */
  public static double mos(double r) {
    if (r < 0) {
      return 1.0;
    }
    if (r > 100) {
      return 4.5;
    }
    double mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
    return Math.max(1.0, Math.min(4.5, mos));
  }
}
