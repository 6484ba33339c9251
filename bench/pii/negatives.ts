// Hard negatives: strings that look like PII to a regex but are not (or are allowed business data).
import type { Rng } from './rng.js';
import { cnId, withLuhn } from './values.js';

const hex = (r: Rng, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[r.int(0, 15)];
  return s;
};
const pad = (n: number, w: number) => String(n).padStart(w, '0');

export const NEGATIVES: Record<string, (r: Rng) => string> = {
  order: (r) => r.pick([`ORD-${r.int(2019, 2025)}-${r.digits(7)}`, `20${r.int(19, 25)}${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}${r.digits(10)}`, `PO#${r.digits(8)}`]),
  timestampMs: (r) => withLuhn('17' + r.digits(10)),
  timestamp: (r) => `17${r.digits(8)}`,
  isoDate: (r) => `${r.int(2000, 2026)}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}`,
  isoDateTime: (r) => `${r.int(2000, 2026)}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}T${pad(r.int(0, 23), 2)}:${pad(r.int(0, 59), 2)}:${pad(r.int(0, 59), 2)}Z`,
  version: (r) => r.pick([`v${r.int(0, 9)}.${r.int(0, 20)}.${r.int(0, 99)}`, `10.0.${r.int(17000, 22631)}.${r.int(1, 999)}`, `${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)}`]),
  isbn: (r) => r.pick([`978-${r.int(0, 9)}-${r.digits(2)}-${r.digits(6)}-${r.int(0, 9)}`, `978${r.digits(10)}`]),
  uuid: (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`,
  hash: (r) => hex(r, r.pick([40, 64, 7])),
  tracking: (r) => r.pick([`1Z${hex(r, 6).toUpperCase()}${r.digits(10)}`, `SF${r.digits(13)}`, `YT${r.digits(16)}`, `JD${r.digits(15)}`]),
  wrongId: (r) => cnId(r, true),
  badSsn: (r) => r.pick([`000-${r.digits(2)}-${r.digits(4)}`, `666-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`, `9${r.digits(2)}-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`, `${pad(r.int(1, 665), 3)}-00-${pad(r.int(1, 9999), 4)}`, `${pad(r.int(1, 665), 3)}-${pad(r.int(1, 99), 2)}-0000`, '078-05-1120']),
  amount: (r) => r.pick([`$${r.int(1, 999)},${r.digits(3)}.${r.digits(2)}`, `¥${r.int(1, 99)},${r.digits(3)}.00`, `${r.int(1, 9)} ${r.digits(3)} ${r.digits(3)},${r.digits(2)} €`, `USD ${r.int(1000, 99999)}.${r.digits(2)}`]),
  badMobile: (r) => r.pick([`154${r.digits(8)}`, `12${r.digits(9)}`, `10${r.digits(9)}`]),
  badCard: (r) => {
    const c = withLuhn('4' + r.digits(14));
    return c.slice(0, -1) + String((Number(c.slice(-1)) + r.int(1, 9)) % 10);
  },
  badIp: (r) => r.pick([`${r.int(256, 999)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(0, 255)}`, `192.168.${r.int(0, 255)}.${r.int(256, 300)}`]),
  mac: (r) => Array.from({ length: 6 }, () => hex(r, 2).toUpperCase()).join(':'),
  time: (r) => `${pad(r.int(0, 23), 2)}:${pad(r.int(0, 59), 2)}:${pad(r.int(0, 59), 2)}`,
  oid: () => '1.2.840.113549.1.1.11',
  sku: (r) => `SKU-${r.digits(4)}-${r.digits(4)}-${r.digits(3)}`,
};

export const NEGATIVE_KINDS = Object.keys(NEGATIVES);
