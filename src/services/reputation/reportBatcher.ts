import type { ReportInput, ReportOutcome, Store } from '../../store/types.js';

interface Pending {
  readonly inputs: readonly ReportInput[];
  readonly resolve: (out: ReportOutcome[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit: report calls that arrive in the same turn of the event loop (concurrent HTTP
 * requests, AGI sessions) share one store transaction. A commit costs far more than a row, so
 * single-report clients get close to batch throughput. Each caller's promise still settles only
 * after the transaction holding its reports has committed, so an acknowledged report is durable.
 */
export class ReportBatcher {
  private pending: Pending[] = [];
  private queued = 0;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** Reports per transaction; a larger group is split so no transaction grows without bound. */
    private readonly maxReports = 2000,
  ) {}

  add(inputs: readonly ReportInput[]): Promise<ReportOutcome[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ inputs, resolve, reject });
      this.queued += inputs.length;
      if (this.queued >= this.maxReports) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const group = this.pending;
    if (group.length === 0) {
      this.scheduled = false;
      return;
    }
    this.pending = [];
    this.queued = 0;
    this.scheduled = false;
    void this.commit(group);
  }

  private async commit(group: readonly Pending[]): Promise<void> {
    if (group.length === 1) {
      const only = group[0]!;
      await this.store.addReports(only.inputs).then(only.resolve, only.reject);
      return;
    }
    let out: ReportOutcome[];
    try {
      out = await this.store.addReports(group.flatMap((p) => p.inputs));
    } catch {
      // One caller's rejected item must not fail the others, and its error must name its own
      // indexes: fall back to one transaction per caller.
      for (const p of group) await this.store.addReports(p.inputs).then(p.resolve, p.reject);
      return;
    }
    let at = 0;
    for (const p of group) {
      p.resolve(out.slice(at, at + p.inputs.length));
      at += p.inputs.length;
    }
  }
}
