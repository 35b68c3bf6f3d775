import { operatorNameKey } from '../core/operatorName.js';
import type { Operator } from '../core/types.js';
import type { MnpIndex } from '../data/mnp/mnpIndex.js';
import { KNOWN_MNP_OPERATORS, orgCode } from '../data/mnp/operators.js';
import type { MnpOperatorEntry } from '../data/mnp/mnpBuild.js';
import type { RegistryIndex } from '../data/registryIndex.js';

/** Where a ported number now belongs. */
export interface PortInfo {
  readonly operator: Operator;
  readonly mnc: string | null;
  readonly route: string | null;
  readonly ported_at: string | null;
}

/** A single number set by hand (`PUT /v1/mnp/{number}`), e.g. learned from an HLR lookup. */
export interface MnpOverride {
  /** 10-digit national number. */
  readonly number: string;
  /** OrgCode (`MEGAFON`), INN, or an operator name as the registry spells it. */
  readonly operator: string;
  readonly mnc: string | null;
  /** When it was set, ISO 8601. */
  readonly at: string;
}

const knownByCode = new Map(KNOWN_MNP_OPERATORS.map((o) => [o.code, o]));
const knownByInn = new Map(KNOWN_MNP_OPERATORS.map((o) => [o.inn, o]));

/**
 * The MNP index bound to the registry it is shown against: each operator entry of the dumps
 * resolved once to the registry's operator (by INN, so a ported number shows `ПАО "МегаФон"`, not
 * `mMEGAFON`), plus the hand-set overrides, which win.
 */
export class MnpData {
  private readonly resolved: readonly PortInfo[];
  private readonly byOverride: ReadonlyMap<string, PortInfo>;
  private readonly mncByInn: ReadonlyMap<string, string>;

  constructor(
    private readonly index: MnpIndex | null,
    private readonly registry: RegistryIndex | null,
    overrides: readonly MnpOverride[],
  ) {
    const directory = new Map((index?.directory ?? []).map((d) => [d.code, d]));
    const mncByInn = new Map<string, string>();
    for (const k of KNOWN_MNP_OPERATORS) mncByInn.set(k.inn, k.mnc);
    for (const d of directory.values()) if (d.mnc) mncByInn.set(d.inn, d.mnc);
    this.mncByInn = mncByInn;
    this.resolved = (index?.operators ?? []).map((e) => this.resolveEntry(e, directory));
    this.byOverride = new Map(
      overrides.map((o) => {
        const op = this.resolveText(o.operator, directory);
        return [
          o.number,
          {
            operator: op,
            mnc: o.mnc ?? (op.inn ? (mncByInn.get(op.inn) ?? null) : null),
            route: null,
            ported_at: o.at.slice(0, 10),
          },
        ];
      }),
    );
  }

  get size(): number {
    return this.index?.size ?? 0;
  }

  get overrideCount(): number {
    return this.byOverride.size;
  }

  private registryOperator(inn: string | null, name: string | null): Operator | null {
    if (!this.registry) return null;
    return (
      (inn ? this.registry.operatorByInn(inn) : null) ?? (name ? this.registry.operatorByName(name) : null)
    );
  }

  private resolveEntry(
    e: MnpOperatorEntry,
    directory: ReadonlyMap<string, { inn: string; name: string; mnc: string }>,
  ): PortInfo {
    if (e.code === null) {
      const op = this.resolveText(e.text ?? '', directory);
      return {
        operator: op,
        mnc: op.inn ? (this.mncByInn.get(op.inn) ?? null) : null,
        route: null,
        ported_at: null,
      };
    }
    const d = directory.get(e.code);
    const k = knownByCode.get(e.code);
    const inn = d?.inn ?? k?.inn ?? null;
    const name = d?.name ?? k?.name ?? null;
    const operator = this.registryOperator(inn, name) ?? { name: name ?? e.code, inn };
    return { operator, mnc: e.mnc ?? d?.mnc ?? k?.mnc ?? null, route: e.route, ported_at: null };
  }

  /** An operator written by a person: OrgCode, INN or name. */
  private resolveText(text: string, directory: ReadonlyMap<string, { inn: string; name: string }>): Operator {
    const t = text.trim();
    if (/^\d{10}(\d{2})?$/.test(t)) {
      return this.registryOperator(t, null) ?? { name: knownByInn.get(t)?.name ?? t, inn: t };
    }
    const code = orgCode(t).toUpperCase();
    const d = directory.get(code) ?? knownByCode.get(code);
    if (d) return this.registryOperator(d.inn, d.name) ?? { name: d.name, inn: d.inn };
    return this.registryOperator(null, t) ?? { name: t, inn: null };
  }

  /** Where a number now belongs, or null when it is where its range says. */
  portOf(national: string, code: number, sub: number): PortInfo | null {
    if (this.byOverride.size > 0) {
      const o = this.byOverride.get(national);
      if (o) return o;
    }
    const index = this.index;
    if (index === null) return null;
    const i = index.find(code, sub);
    if (i < 0) return null;
    const r = this.resolved[index.operatorAt(i)];
    if (!r) return null;
    return { operator: r.operator, mnc: r.mnc, route: r.route, ported_at: index.portDateAt(i) };
  }

  /** MNC of an operator, when it runs a mobile network the dumps or the known table name. */
  mncOf(op: Operator | null): string | null {
    return op?.inn ? (this.mncByInn.get(op.inn) ?? null) : null;
  }
}

export function sameOperator(a: Operator, b: Operator | null): boolean {
  if (!b) return false;
  if (a === b) return true;
  if (a.inn && b.inn) return a.inn === b.inn;
  return operatorNameKey(a.name) === operatorNameKey(b.name);
}
