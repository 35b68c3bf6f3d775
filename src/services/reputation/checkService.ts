/**
 * The allow/block decision for a call: blacklists first, then the trust index against the
 * threshold, then the unwanted-calls flag. Any reason blocks. Both inputs are cached
 * (ReputationService, BlacklistService), so a check of a known number costs no store round trip.
 */
import type { LookupResult } from '../../core/types.js';
import { NuminfoError } from '../../errors.js';
import { GLOBAL_OWNER, type ListHit } from '../../store/types.js';
import type { CallCheck, CallChecker } from '../routing/types.js';
import { checkListName, type BlacklistService } from './blacklistService.js';
import { isE164Digits, type ReputationService } from './reputationService.js';
import { PRIOR_MEAN } from './trustIndex.js';

export interface CheckOptions {
  /** The caller's key id: its own lists are searched too. Null, absent or '': global lists only. */
  owner?: string | null;
  /** Only lists with these names; null or absent: every list. */
  lists?: readonly string[] | null;
}

export interface CheckResult extends CallCheck {
  /** E.164 digits; '' when a lookup result held no number (an anonymous caller). */
  number: string;
  decision: 'allow' | 'block';
  /** `blacklist:<list>` (global), `blacklist:<list>@key` (the caller's own), `trust x.xx < t.tt`, `unwanted`. */
  reasons: string[];
  trust: number;
  /** Lists holding the number; owner '' = global. */
  blacklists: ListHit[];
  threshold: number;
  is_unwanted: boolean;
}

const GLOBAL_ONLY: readonly string[] = Object.freeze([GLOBAL_OWNER]);

export class CheckService implements CallChecker {
  private readonly threshold: number;
  private readonly blockUnwanted: boolean;

  constructor(
    private readonly reputation: ReputationService,
    private readonly blacklists: BlacklistService,
    opts: { trustThreshold: number; blockUnwanted: boolean },
  ) {
    if (!Number.isFinite(opts.trustThreshold) || opts.trustThreshold < 0 || opts.trustThreshold > 10) {
      throw new NuminfoError('CONFIG_INVALID', `trustThreshold must be 0..10, not ${opts.trustThreshold}`);
    }
    this.threshold = opts.trustThreshold;
    this.blockUnwanted = opts.blockUnwanted;
  }

  /** Lists searched: the global lists plus, when owner is given, that key's lists; `lists` limits by name. */
  async check(number: LookupResult | string, opts: CheckOptions = {}): Promise<CheckResult> {
    let digits: string;
    if (typeof number === 'string') {
      digits = number.startsWith('+') ? number.slice(1) : number;
      if (!isE164Digits(digits)) {
        throw new NuminfoError('BAD_REQUEST', `number: expected E.164 digits, got ${JSON.stringify(number)}`);
      }
    } else if (number.e164 === null) {
      // No number to judge (anonymous or garbage caller ID): nothing known against it.
      return this.result('', PRIOR_MEAN, false, []);
    } else {
      digits = number.e164.slice(1);
    }
    const owner = opts.owner ?? GLOBAL_OWNER;
    const owners = owner === GLOBAL_OWNER ? GLOBAL_ONLY : [GLOBAL_OWNER, owner];
    const lists = opts.lists ?? null;
    if (lists !== null) for (const l of lists) checkListName(l);
    const [rep, hits] = await Promise.all([
      this.reputation.get(digits),
      lists !== null && lists.length === 0 ? [] : this.blacklists.listingsOf(digits, owners, lists),
    ]);
    return this.result(digits, rep.index, rep.is_unwanted, hits);
  }

  private result(number: string, trust: number, unwanted: boolean, hits: readonly ListHit[]): CheckResult {
    const reasons: string[] = [];
    for (const h of hits)
      reasons.push(h.owner === GLOBAL_OWNER ? `blacklist:${h.list}` : `blacklist:${h.list}@key`);
    if (trust < this.threshold) reasons.push(`trust ${trust.toFixed(2)} < ${this.threshold.toFixed(2)}`);
    if (unwanted && this.blockUnwanted) reasons.push('unwanted');
    return {
      number,
      decision: reasons.length > 0 ? 'block' : 'allow',
      reasons,
      trust,
      blacklists: [...hits],
      threshold: this.threshold,
      is_unwanted: unwanted,
    };
  }
}
