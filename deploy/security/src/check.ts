export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** expect(name, actual, wanted): one line of the suite's output. */
export function expectStatus(name: string, actual: number, wanted: number | number[], extra = ''): CheckResult {
  const list = Array.isArray(wanted) ? wanted : [wanted];
  return { name, ok: list.includes(actual), detail: `got ${actual}, want ${list.join('|')}${extra ? ` ${extra}` : ''}` };
}
