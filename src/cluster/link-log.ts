/**
 * What the links of one client log about their brokers: an outage once when it starts and once
 * when it ends, and throttling at most once a minute per broker. Shared by every link of a client
 * (the cluster's, the bootstrap ones, the group coordinator's) and keyed by broker address, so
 * two links to a broker that went down make one warning, not two.
 *
 * An outage starts when a connection cannot be set up, or when an open one fails (socket error,
 * request timeout, bytes that break the protocol). A broker closing a connection cleanly is not
 * one by itself (brokers close idle connections after `connections.max.idle.ms`): it becomes one
 * only when connecting again fails, and the outage is then counted from the close.
 */
import { ReportLimiter } from './report-limiter.js';
import type { Logger } from '../logger.js';
import { KafkaStageError } from '../errors.js';

/** A throttled broker is reported at most this often, ms. */
export const THROTTLE_REPORT_MS = 60_000;

interface Outage {
  /** When the trouble began (the failed connect, or the close that preceded it). */
  since: number;
  /** Whether the warning was logged (a clean close is not, until reconnecting fails). */
  announced: boolean;
}

/** One client's log of broker reachability and throttling; see the module comment. */
export class LinkLog {
  private readonly outages = new Map<string, Outage>();
  private readonly throttleReports = new ReportLimiter(THROTTLE_REPORT_MS);
  /** Throttled answers not reported since the last warning, by broker address. */
  private readonly unreported = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  /** A connection to `address` was set up (ApiVersions and SASL done). */
  connected(address: string, nodeId: number): void {
    const outage = this.outages.get(address);
    if (!outage) return;
    this.outages.delete(address);
    const fields = { broker: address, ...node(nodeId), outageMs: Date.now() - outage.since };
    if (outage.announced) this.logger.info('connection to broker restored', fields);
    else this.logger.debug('reconnected to broker after it closed the connection', fields);
  }

  /** Setting up a connection to `address` failed with `err`. */
  connectFailed(address: string, nodeId: number, err: Error): void {
    const outage = this.outages.get(address);
    if (outage?.announced) {
      this.logger.debug('connecting to broker failed again', { broker: address, ...node(nodeId), err });
      return;
    }
    if (outage) {
      outage.announced = true;
      this.logger.warn('connection to broker lost', { broker: address, ...node(nodeId), err });
      return;
    }
    this.outages.set(address, { since: Date.now(), announced: true });
    this.logger.warn('cannot connect to broker', { broker: address, ...node(nodeId), err });
  }

  /** An open connection to `address` ended without the client closing it. */
  dropped(address: string, nodeId: number, err: Error): void {
    if (this.outages.has(address)) return;
    const cleanClose = err instanceof KafkaStageError && err.code === 'ERR_CONNECTION_CLOSED';
    this.outages.set(address, { since: Date.now(), announced: !cleanClose });
    if (cleanClose) this.logger.debug('broker closed the connection', { broker: address, ...node(nodeId), err });
    else this.logger.warn('connection to broker lost', { broker: address, ...node(nodeId), err });
  }

  /** `address` answered a request of `api` with a throttle time of `throttleTimeMs` > 0. */
  throttled(address: string, nodeId: number, api: string, throttleTimeMs: number): void {
    const missed = this.unreported.get(address) ?? 0;
    if (!this.throttleReports.allow(address, Date.now())) {
      this.unreported.set(address, missed + 1);
      return;
    }
    this.unreported.delete(address);
    this.logger.warn('broker is throttling this client (quota exceeded)', {
      broker: address,
      ...node(nodeId),
      api,
      throttleTimeMs,
      ...(missed > 0 ? { throttledSinceLastReport: missed } : {}),
    });
  }
}

/** The node id field, for brokers metadata named (bootstrap links have negative ids). */
function node(nodeId: number): { nodeId?: number } {
  return nodeId >= 0 ? { nodeId } : {};
}
