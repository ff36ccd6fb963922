/**
 * The group coordinator of one group: where it is (FindCoordinator) and a connection to it.
 *
 * The coordinator gets a connection of its own, apart from the one the cluster client uses for the
 * same broker (as the Java client does): a broker handles one request per connection at a time,
 * and a JoinGroup waits at the broker until the rebalance completes, which must not hold up
 * fetches. The link is addressed by the host and port FindCoordinator returned, so a coordinator
 * not yet in the cached metadata is reachable at once.
 *
 * The coordinator is forgotten on NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and connection loss,
 * and looked up again by the next request. COORDINATOR_LOAD_IN_PROGRESS keeps it (the broker is
 * right, only not ready): callers back off and retry.
 */
import type { Cluster } from '../cluster/cluster.js';
import { NodeLink } from '../cluster/node-link.js';
import { withRetry } from '../cluster/retry.js';
import { CoordinatorType, FindCoordinator } from '../protocol/apis/find-coordinator.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import { ProtocolError } from '../protocol/errors.js';
import type { AnyApi, RequestIn, ResponseOut } from '../protocol/schema.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** True for the codes a coordinator answers while it cannot serve the group now. */
export function isCoordinatorErrorCode(code: number): boolean {
  return code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.NOT_COORDINATOR;
}

/** Where the coordinator is. */
export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** Options of one request to the coordinator. */
export interface CoordinatorRequestOptions<A extends AnyApi> {
  /** Response timeout, ms; default the cluster's `requestTimeoutMs`. */
  timeoutMs?: number;
  /** Abandons the request (the connection stays open). */
  signal?: AbortSignal;
  /**
   * The response's error code that speaks for the whole request, if any: on NOT_COORDINATOR or
   * COORDINATOR_NOT_AVAILABLE the coordinator is forgotten. The response is returned either way.
   */
  errorOf?: (response: ResponseOut<A>) => number;
}

/** A socket-level failure: the coordinator may be gone. */
function isTransportFailure(err: unknown): boolean {
  return (
    err instanceof KafkaStageError &&
    (err.code === 'ERR_CONNECTION' || err.code === 'ERR_CONNECTION_CLOSED' || err.code === 'ERR_REQUEST_TIMEOUT')
  );
}

/** Finds and tracks the coordinator of one group, and sends requests to it. */
export class GroupCoordinator {
  private node: CoordinatorNode | null = null;
  private link: NodeLink | null = null;
  private finding: Promise<CoordinatorNode> | null = null;
  private closed = false;
  private lookupCount = 0;

  constructor(
    /** The cluster client lookups go through (and topic ids come from). */
    readonly cluster: Cluster,
    /** The group this coordinator serves. */
    readonly groupId: string,
  ) {}

  /** How many FindCoordinator requests were sent (for tests and diagnostics). */
  get lookups(): number {
    return this.lookupCount;
  }

  /** The coordinator as last found, or null when unknown. */
  get current(): CoordinatorNode | null {
    return this.node;
  }

  /**
   * The coordinator, looked up when unknown. Concurrent callers share one lookup. Retries
   * COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and connection failures with the
   * cluster's retry policy.
   */
  find(): Promise<CoordinatorNode> {
    this.assertOpen();
    if (this.node) return Promise.resolve(this.node);
    this.finding ??= this.lookup().finally(() => {
      this.finding = null;
    });
    return this.finding;
  }

  /**
   * Forgets the coordinator (when it is still `node`, or whichever it is when `node` is omitted)
   * and closes its connection; the next request looks it up again.
   */
  markUnknown(node: CoordinatorNode | null = this.node): void {
    if (node === null || this.node !== node) return;
    this.node = null;
    const link = this.link;
    this.link = null;
    void link?.close();
  }

  /**
   * Drops the connection to the coordinator but keeps knowing where it is. A broker answers a
   * connection's requests in order, so a request stuck behind an abandoned JoinGroup (which waits
   * at the broker for the rebalance) is freed only on a new connection.
   */
  resetConnection(): void {
    void this.link?.close(false);
  }

  /** The version of `api` the coordinator and we speak (finds and connects to it if needed). */
  async versionFor(api: AnyApi): Promise<number> {
    const node = await this.find();
    const link = this.linkFor(node);
    try {
      return await link.versionFor(api);
    } catch (err) {
      if (isTransportFailure(err)) this.markUnknown(node);
      throw err;
    }
  }

  /**
   * Sends one request to the coordinator, finding it first when unknown; no retry. A connection
   * failure forgets the coordinator and rejects; coordinator error codes named by `errorOf` forget
   * it (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) and the response is returned for the caller to
   * read.
   */
  async request<A extends AnyApi>(
    api: A,
    build: (version: number) => RequestIn<A>,
    options: CoordinatorRequestOptions<A> = {},
  ): Promise<{ response: ResponseOut<A>; version: number }> {
    const node = await this.find();
    const link = this.linkFor(node);
    let response: ResponseOut<A>;
    let version: number;
    try {
      const conn = await link.get();
      version = await link.versionFor(api);
      response = await conn.request(api, version, build(version), { timeoutMs: options.timeoutMs, signal: options.signal });
    } catch (err) {
      if (isTransportFailure(err)) this.markUnknown(node);
      throw err;
    }
    const code = options.errorOf?.(response) ?? 0;
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.markUnknown(node);
    return { response, version };
  }

  /**
   * Runs `operation` with the cluster's retry policy: retriable failures (coordinator errors thrown
   * as KafkaError, lost connections) are retried after a backoff, finding the coordinator again
   * when it was forgotten.
   */
  withRetry<T>(what: string, operation: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(what, operation, this.cluster.options.retry, { signal });
  }

  /** Closes the connection to the coordinator; later calls throw. */
  async close(): Promise<void> {
    this.closed = true;
    this.node = null;
    const link = this.link;
    this.link = null;
    await link?.close();
  }

  private linkFor(node: CoordinatorNode): NodeLink {
    const link = this.link;
    if (link && link.nodeId === node.nodeId && link.host === node.host && link.port === node.port) return link;
    void link?.close();
    this.link = new NodeLink(node.nodeId, node.host, node.port, this.cluster.options, this.cluster.linkLog);
    return this.link;
  }

  private async lookup(): Promise<CoordinatorNode> {
    const found = await this.cluster.withRetry(`FindCoordinator for group ${this.groupId}`, async () => {
      this.lookupCount++;
      const { response, version } = await this.cluster.requestWithVersion('any', FindCoordinator, (v) =>
        v >= 4 ? { keyType: CoordinatorType.GROUP, coordinatorKeys: [this.groupId] } : { key: this.groupId, keyType: CoordinatorType.GROUP },
      );
      const entry = version >= 4 ? response.coordinators.find((c) => c.key === this.groupId) : response;
      if (!entry) throw new ProtocolError(`FindCoordinator v${version} response does not name group ${this.groupId}`, { api: 'FindCoordinator' });
      const err = kafkaError(entry.errorCode, { api: 'FindCoordinator', group: this.groupId }, { brokerMessage: entry.errorMessage });
      if (err) throw err;
      return { nodeId: entry.nodeId, host: entry.host, port: entry.port };
    });
    this.assertOpen();
    this.node = found;
    return found;
  }

  private assertOpen(): void {
    if (this.closed) throw new KafkaStageError('ERR_CLOSED', `the coordinator client of group ${this.groupId} is closed`);
  }
}
