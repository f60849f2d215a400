/** Counters of the HTTP parser, shared by every flow's parser of one engine. */
export class HttpStats {
  transactions = 0;
  requests = 0;
  responses = 0;
  /** Directions that stopped parsing on malformed input (the rest of that direction is ignored). */
  invalidDirections = 0;
  /** Transactions flagged with any anomaly (see HttpTxFlag). */
  invalidTransactions = 0;
  /** Responses with no request to match. */
  unmatchedResponses = 0;
  /** Bodies that failed to decompress. */
  decompressErrors = 0;
  /** Bodies cut at the request or response body limit. */
  bodyLimitReached = 0;
  /** Stream gaps met by the parser. */
  gaps = 0;

  reset(): void {
    for (const k of Object.keys(this) as Array<keyof HttpStats>) {
      if (typeof this[k] === 'number') (this as unknown as Record<string, number>)[k] = 0;
    }
  }
}
