// Round-trip time and loss estimates for one direction of a connection. RTT follows TCP's
// smoothing (RFC 6298) so the resend timeout tracks both the mean and the jitter; each
// retransmission goes out under a new datagram sequence, so every ack is an unambiguous sample.

export const INITIAL_RTO_MS = 200;
export const MIN_RTO_MS = 30;
export const MAX_RTO_MS = 1000;
const LOSS_SMOOTHING = 0.1;

export class LinkEstimator {
  private srtt: number | undefined;
  private rttvar = 0;
  private lossRate = 0;

  /** Smoothed round-trip time in ms; 0 until the first sample. */
  get rttMs(): number {
    return this.srtt ?? 0;
  }

  /** Fraction of ack-eliciting datagrams lost, smoothed over roughly the last 10. */
  get packetLoss(): number {
    return this.lossRate;
  }

  /** How long an unacked reliable fragment waits before it is sent again. */
  get rtoMs(): number {
    if (this.srtt === undefined) return INITIAL_RTO_MS;
    return Math.min(MAX_RTO_MS, Math.max(MIN_RTO_MS, this.srtt + 4 * this.rttvar));
  }

  acked(rttSampleMs: number): void {
    const r = Math.max(0, rttSampleMs);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.lossRate += (0 - this.lossRate) * LOSS_SMOOTHING;
  }

  lost(): void {
    this.lossRate += (1 - this.lossRate) * LOSS_SMOOTHING;
  }
}
