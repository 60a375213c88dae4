/**
 * Congestion control for packetlab's transports: NewReno (RFC 5681/6582),
 * CUBIC (RFC 9438, with Linux HyStart) and BBR v1, plus the delivery-rate
 * estimator (draft-cheng-iccrg-delivery-rate-estimation) that feeds them.
 *
 * Contract: an algorithm is a pure state machine behind the
 * {@link CongestionControl} interface. The sender (TCP here, QUIC later) owns
 * the connection and a {@link CcState} object: it keeps the measured fields
 * current (MSS, pipe, FlightSize, SRTT, min RTT, recovery flag), builds one
 * {@link RateSample} per ACK with the functions of `rate_sample.ts`, and calls
 * the algorithm in a fixed order (recovery transitions first, then `onAck`;
 * see `types.ts`). The algorithm writes only `cwnd`, `ssthresh` and
 * `pacingRate`, returns the loss-time ssthresh instead of setting it, reads no
 * clock but the `now` it is given (integer nanoseconds) and draws randomness
 * only from an injected source, so a simulation replays exactly. Algorithms
 * are created by name through {@link createCongestionControl}; `clone()` gives
 * an independent instance with the same parameters, and `inspect()` exposes
 * internal variables for traces.
 *
 * @module
 */
export * from "./types.ts";
export * from "./registry.ts";
export * from "./rate_sample.ts";
export { NewReno, type NewRenoOptions } from "./newreno.ts";
export { Cubic, cubicK, type CubicOptions, cubicWindow } from "./cubic.ts";
export { Bbr, BBR_PACING_GAIN_CYCLE, type BbrMode, type BbrOptions } from "./bbr.ts";
export { DEFAULT_CC_SEED, seededRandom } from "./prng.ts";
export { type FilterSample, WindowedMaxFilter } from "./windowed_filter.ts";
