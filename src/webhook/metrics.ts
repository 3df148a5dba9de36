/**
 * Prometheus metrics of the webhooks, on a registry passed in (never prom-client's global default): reviews by path
 * and outcome, their duration, requests refused before review (bad body, type, size), and the serving certificate's
 * expiry.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AdmissionResponse } from './admission/review.js';

/** The webhook metrics. */
export class WebhookMetrics {
  private readonly reviews: Counter<'path' | 'outcome'>;
  private readonly duration: Histogram<'path'>;
  private readonly refused: Counter<'status'>;
  private readonly expiry: Gauge;

  /** Registers every metric on `registry`. */
  constructor(registry: Registry) {
    const registers = [registry];
    this.reviews = new Counter({
      name: 'aspen_webhook_reviews_total',
      help: 'AdmissionReviews answered, by path and outcome (allowed, patched, denied)',
      labelNames: ['path', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'aspen_webhook_review_duration_seconds',
      help: 'Time to answer an AdmissionReview, by path',
      labelNames: ['path'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.refused = new Counter({
      name: 'aspen_webhook_refused_requests_total',
      help: 'Requests answered with an HTTP error before or instead of a review, by status',
      labelNames: ['status'],
      registers,
    });
    this.expiry = new Gauge({
      name: 'aspen_webhook_certificate_expiry_timestamp_seconds',
      help: 'Expiry of the webhook serving certificate (Unix seconds)',
      registers,
    });
  }

  /** Records one answered review. */
  review(path: string, response: AdmissionResponse, seconds: number): void {
    const outcome = !response.allowed ? 'denied' : response.patch === undefined ? 'allowed' : 'patched';
    this.reviews.inc({ path, outcome });
    this.duration.observe({ path }, seconds);
  }

  /** Records a request refused with an HTTP status. */
  httpError(status: number): void {
    this.refused.inc({ status: String(status) });
  }

  /** Records the serving certificate's expiry. */
  certificate(notAfter: Date | undefined): void {
    if (notAfter !== undefined) this.expiry.set(Math.floor(notAfter.getTime() / 1000));
  }
}
