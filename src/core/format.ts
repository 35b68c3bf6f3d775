/** Written forms of a Russian number (10-digit national significant number) and its extension. */

function groups(sub: string): string {
  return `${sub.slice(0, 3)}-${sub.slice(3, 5)}-${sub.slice(5, 7)}`;
}

/** `+7 846 231-60-14` */
export function formatInternationalRu(national: string): string {
  return `+7 ${national.slice(0, 3)} ${groups(national.slice(3))}`;
}

/** `8 (846) 231-60-14` */
export function formatNationalRu(national: string): string {
  return `8 (${national.slice(0, 3)}) ${groups(national.slice(3))}`;
}

/** DaData's form: `+7 846 231-60-14 доб. 139`. */
export function withExtension(phone: string, extension: string | null): string {
  return extension ? `${phone} доб. ${extension}` : phone;
}

/** ahunter's form: `(846) 2316014`, `(***) 1663050` when the zone is unknown. */
export function formatAhunter(zone: string | null, subscriber: string): string {
  return `(${zone ?? '***'}) ${subscriber}`;
}
