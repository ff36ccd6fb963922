/**
 * Metadata recovery by rebootstrap (KIP-899, KIP-1102): when the client can no longer learn the
 * cluster from the brokers it knows, it goes back to the bootstrap list, as the Java client does
 * (`metadata.recovery.strategy=rebootstrap`, the default since Kafka 4.0).
 *
 * Three triggers, as in Java:
 * - every broker the metadata names is unreachable (each failed its last connect and none is
 *   connected): the cluster may have moved to new addresses that only the bootstrap list (a DNS
 *   name, a load balancer) still leads to;
 * - metadata could not be refreshed for `metadataRecoveryRebootstrapTriggerMs` although brokers
 *   accept connections (they time out, or answer errors);
 * - a broker answers Metadata with REBOOTSTRAP_REQUIRED (KIP-1102, Metadata v13+).
 *
 * This file holds the options and the clock; the cluster client performs the switch.
 */
import { checkInteger, checkOneOf } from '../options/validate.js';

/** What the client does when it cannot refresh metadata from the brokers it knows (Java `metadata.recovery.strategy`). */
export type MetadataRecoveryStrategy = 'rebootstrap' | 'none';

/** The recovery options of {@link ClusterOptions}. */
export interface MetadataRecoveryOptions {
  /**
   * `'rebootstrap'` (default, as Java since 4.0): go back to the bootstrap brokers (names resolved
   * again, new connections) when the known brokers fail; `'none'`: keep trying the known brokers.
   * Java `metadata.recovery.strategy`.
   */
  metadataRecoveryStrategy?: MetadataRecoveryStrategy;
  /**
   * ms metadata may go unrefreshed, while refreshes are being tried and failing, before the client
   * rebootstraps even though brokers accept connections. Default 300 000 (Java
   * `metadata.recovery.rebootstrap.trigger.ms`). 0 rebootstraps after the first failed refresh.
   */
  metadataRecoveryRebootstrapTriggerMs?: number;
}

/** Recovery options after defaults and validation. */
export interface ResolvedMetadataRecovery {
  strategy: MetadataRecoveryStrategy;
  triggerMs: number;
}

/** Defaults of {@link MetadataRecoveryOptions}. */
export const METADATA_RECOVERY_DEFAULTS: Readonly<ResolvedMetadataRecovery> = Object.freeze({
  strategy: 'rebootstrap',
  triggerMs: 300_000,
});

/** Option names, for roles that check unknown keys. */
export const METADATA_RECOVERY_KEYS = ['metadataRecoveryStrategy', 'metadataRecoveryRebootstrapTriggerMs'] as const;

/** Applies defaults and validates; throws InvalidOptionError naming the bad option. */
export function resolveMetadataRecovery(options: MetadataRecoveryOptions): ResolvedMetadataRecovery {
  return {
    strategy: checkOneOf('metadataRecoveryStrategy', options.metadataRecoveryStrategy ?? METADATA_RECOVERY_DEFAULTS.strategy, ['rebootstrap', 'none']),
    triggerMs: checkInteger(
      'metadataRecoveryRebootstrapTriggerMs',
      options.metadataRecoveryRebootstrapTriggerMs ?? METADATA_RECOVERY_DEFAULTS.triggerMs,
      0,
      86_400_000,
    ),
  };
}

/**
 * The staleness clock: since when metadata refreshes have been failing without a success in
 * between. Pure bookkeeping; time is passed in.
 */
export class RefreshFailureClock {
  private failingSince: number | null = null;

  /** A refresh succeeded: metadata is fresh again. */
  succeeded(): void {
    this.failingSince = null;
  }

  /** A refresh attempt failed at `now`; the first failure after a success starts the clock. */
  failed(now: number): void {
    this.failingSince ??= now;
  }

  /** True when refreshes have been failing for at least `triggerMs`. */
  expired(now: number, triggerMs: number): boolean {
    return this.failingSince !== null && now - this.failingSince >= triggerMs;
  }

  /** The clock starts over (after a rebootstrap, which deserves its own full period). */
  restart(now: number): void {
    if (this.failingSince !== null) this.failingSince = now;
  }
}
