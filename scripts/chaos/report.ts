/**
 * The chaos report: one table row per scenario, then each fault's recovery time beside the Java
 * consumer's, and what the runner noticed. Markdown, so it can go into docs/RELIABILITY.md as is.
 */
import type { ScenarioOutcome } from './scenario-run.js';

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : v === Infinity ? 'never' : `${(v / 1000).toFixed(1)} s`);

/** Whether a scenario passes: checked, no failing verdict, no runner error. */
export function passed(o: ScenarioOutcome): boolean {
  return o.error === null && o.verdict !== null && o.verdict.ok && o.verdict.logRecords > 0;
}

/** Formats the report. `header` lines (command, seed, conditions) go first. */
export function formatReport(header: string[], outcomes: ScenarioOutcome[]): string {
  const out = [...header, ''];
  out.push('| scenario | produced | consumed | lost | duplicated (unexplained) | producer dup | out-of-order | I1 | max recovery kafka-stage | max recovery Java | producer recovery | result |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const o of outcomes) {
    const v = o.verdict;
    if (!v) {
      out.push(`| ${o.scenario.name} | - | - | - | - | - | - | - | - | - | - | ERROR |`);
      continue;
    }
    const lost = v.lost + v.missingFromLog + v.ackMismatch;
    out.push(
      `| ${o.scenario.name} | ${v.produced} | ${v.consumed} | ${lost} | ${v.duplicates} (${v.unexplainedDuplicates}) | ${v.producerDuplicates} | ${v.orderViolations} | ${v.i1Violations} | ${ms(v.maxRecoveryMs)} | ${ms(v.javaMaxRecoveryMs)} | ${ms(v.producerMaxRecoveryMs)} | ${passed(o) ? 'pass' : 'FAIL'} |`,
    );
  }
  out.push('');
  out.push('Recovery per fault (from the event to the first delivery, on every partition, of a record newer than all acknowledged before it; worst partition). The producer figure is the same for its acknowledgements: no consumer can recover before it.');
  out.push('');
  for (const o of outcomes) {
    out.push(`- **${o.scenario.name}** — ${o.scenario.title}${o.durationMs > 0 ? ` (${(o.durationMs / 1000).toFixed(0)} s)` : ''}`);
    const v = o.verdict;
    if (v) {
      v.recovery.forEach((r, i) => {
        const j = v.javaRecovery[i];
        const pr = v.producerRecovery[i];
        const never = r.unrecovered.length > 0 ? `, never again on p${r.unrecovered.join(',p')}` : '';
        out.push(`  - ${r.label}: kafka-stage ${ms(r.worstMs)} (p${r.worstPartition ?? '-'}${never}), Java ${ms(j?.unrecovered.length ? Infinity : j?.worstMs)}, producer ${ms(pr?.worstMs)} (p${pr?.worstPartition ?? '-'})`);
      });
      const extra: string[] = [];
      if (v.failedSends > 0) extra.push(`${v.failedSends} sends failed (not acknowledged, not counted as produced)`);
      if (v.skips > 0) extra.push(`${v.skips} forward jumps inside a subscriber session`);
      if (v.missingFromLog > 0) extra.push(`${v.missingFromLog} acknowledged records missing from the log`);
      if (v.ackMismatch > 0) extra.push(`${v.ackMismatch} acknowledgements naming an offset that holds another record`);
      if (v.finalBehind.length > 0) extra.push(`final commit behind the log end on ${v.finalBehind.map((f) => `p${f.p} (${f.committed ?? 'none'}/${f.logEnd})`).join(', ')}`);
      if (v.finalAhead.length > 0) extra.push(`final commit ahead of the log end on ${v.finalAhead.map((f) => `p${f.p}`).join(', ')}`);
      if (v.javaLost) extra.push(`Java consumer missed ${v.javaLost} acknowledged records`);
      if (v.logRecords === 0) extra.push('the final read of the log returned nothing: producer duplicates and log order unchecked');
      for (const [kind, list] of Object.entries(v.samples)) if (list.length > 0) extra.push(`${kind}: ${JSON.stringify(list.slice(0, 3))}`);
      for (const e of extra) out.push(`  - ${e}`);
    }
    for (const n of o.notes) out.push(`  - runner: ${n}`);
  }
  return out.join('\n') + '\n';
}
