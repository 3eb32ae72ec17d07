// Per-socket admission: a token bucket against floods and a strike count against garbage.
// Pure (time is passed in), so it is unit-tested in Node. The room keeps one per socket in
// memory only: after hibernation a socket starts with a full bucket, which is harmless because
// a room hibernates only after its sockets have been quiet for a while.

/** Tokens refill continuously at `perSecond` up to `burst`; time is passed in. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: { perSecond: number; burst: number }, now: number) {
    this.tokens = rate.burst;
    this.last = now;
  }

  /** Takes `cost` tokens, all or none (a frame of five reactions is five: reactions.ts). */
  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export type Admission = "ok" | "throttled" | "drop" | "close";

export interface GuardPolicy {
  rate: { perSecond: number; burst: number };
  /** Frames that may be dropped before the socket is closed; forgiven at one per second. */
  maxDropped: number;
  /** Invalid or refused frames in a burst before the socket is closed; forgiven at one per INVALID_FORGIVE_MS. */
  maxInvalidFrames: number;
}

/**
 * Invalid and refused frames are forgiven slowly: a correct client meets a refusal now and then
 * (a signal to a peer that has just left, a candidate after a leave), over hours; a broken or
 * hostile one sends them back to back.
 */
export const INVALID_FORGIVE_MS = 10_000;

export class SocketGuard {
  private readonly bucket: TokenBucket;
  /** Drops still tolerated. A flooder that merely keeps the bucket near empty still runs this down. */
  private dropAllowance: number;
  private last: number;
  /** The client has been told it is throttled and has not recovered since. */
  private told = false;
  private readonly invalid: TokenBucket;

  constructor(private readonly policy: GuardPolicy, now: number) {
    this.bucket = new TokenBucket(policy.rate, now);
    // One token short of the allowance: the frame that empties the bucket is the last one taken.
    this.invalid = new TokenBucket({ perSecond: 1000 / INVALID_FORGIVE_MS, burst: policy.maxInvalidFrames - 1 }, now);
    this.dropAllowance = policy.maxDropped;
    this.last = now;
  }

  /**
   * One incoming frame. "throttled" is the first refusal of an episode (tell the client once),
   * "drop" the following ones (say nothing: answering a flood would amplify it), "close" when the
   * client has used up its drop allowance, i.e. it is not backing off. `cost`: the tokens the
   * frame takes from the bucket; a refused frame costs one drop, whatever its cost.
   */
  admit(now: number, cost = 1): Admission {
    const seconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.dropAllowance = Math.min(this.policy.maxDropped, this.dropAllowance + seconds);
    if (this.dropAllowance >= this.policy.maxDropped) this.told = false;
    if (this.bucket.take(now, cost)) return "ok";
    this.dropAllowance -= 1;
    if (this.dropAllowance < 0) return "close";
    if (this.told) return "drop";
    this.told = true;
    return "throttled";
  }

  /** An invalid or refused frame. Returns true when the socket has used up its allowance (close it). */
  strike(now: number): boolean {
    return !this.invalid.take(now);
  }
}
