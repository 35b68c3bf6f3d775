import pg from 'pg';
import type { ClientConfig, Notification } from 'pg';
import type { StoreChange } from '../types.js';

/** The one channel every instance of every schema notifies on; payloads say which schema they are for. */
export const CHANNEL = 'numinfo_changes';

/** What travels in a NOTIFY payload: schema tag, sending instance, changes. */
export interface ChangeMessage {
  readonly s: string;
  readonly i: string;
  readonly c: readonly StoreChange[];
}

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7000;

/** Splits changes into payloads that each fit in one NOTIFY. */
export function changePayloads(schema: string, instance: string, changes: readonly StoreChange[]): string[] {
  const out: string[] = [];
  const head = JSON.stringify({ s: schema, i: instance, c: [] }).length;
  let batch: string[] = [];
  let size = head;
  for (const c of changes) {
    const json = JSON.stringify(c);
    if (batch.length > 0 && size + json.length + 1 > MAX_PAYLOAD) {
      out.push(wrap(schema, instance, batch));
      batch = [];
      size = head;
    }
    batch.push(json);
    size += json.length + 1;
  }
  if (batch.length > 0) out.push(wrap(schema, instance, batch));
  return out;
}

function wrap(schema: string, instance: string, changes: string[]): string {
  return `{"s":${JSON.stringify(schema)},"i":${JSON.stringify(instance)},"c":[${changes.join(',')}]}`;
}

const MAX_BACKOFF_MS = 5000;

/**
 * A dedicated connection LISTENing for other instances' changes. When it drops it reconnects with
 * backoff and then reports `{kind:'all'}`, since notifications sent meanwhile are lost.
 */
export class ChangeListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: ClientConfig,
    private readonly schema: string,
    private readonly instance: string,
    private readonly deliver: (changes: readonly StoreChange[]) => void,
  ) {}

  /** Connects and LISTENs; rejects when the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({
      ...this.config,
      application_name: `numinfo-listener:${this.schema}`,
    });
    c.on('notification', (m) => this.onNotification(m));
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    if (this.stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    this.client = c;
  }

  private onNotification(m: Notification): void {
    if (m.channel !== CHANNEL || !m.payload) return;
    let msg: ChangeMessage;
    try {
      msg = JSON.parse(m.payload) as ChangeMessage;
    } catch {
      return;
    }
    // Our own changes were delivered in-process right after commit.
    if (msg.s !== this.schema || msg.i === this.instance || !Array.isArray(msg.c)) return;
    this.deliver(msg.c);
  }

  private lost(c: pg.Client): void {
    if (this.client !== c || this.stopped) return;
    this.client = null;
    c.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => {
          if (this.stopped) return;
          this.attempt = 0;
          this.deliver([{ kind: 'all' }]);
        },
        () => this.schedule(),
      );
    }, delay);
    this.timer.unref();
  }
}
