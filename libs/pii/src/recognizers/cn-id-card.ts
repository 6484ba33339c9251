import { cnIdCheckChar } from '../checksums.js';
import { boost, hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';
import { cnRegionValid } from './cn-region-codes.js';

const CONTEXT = ['身份证', '证件', '公民身份', '身份号', 'id card', 'id no', 'id number', 'resident id', 'identity'];

const CN_ID = /(?<![0-9A-Za-z_])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z_])/g;

/** A real calendar date, not in the future. */
export function realDate(y: number, m: number, d: number, now = new Date()): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  return dt.getTime() <= now.getTime();
}

export function cnIdValid(id: string): boolean {
  if (id.length !== 18 || !cnRegionValid(id.slice(0, 6))) return false;
  if (!realDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  return cnIdCheckChar(id.slice(0, 17)) === id[17]!.toUpperCase();
}

export const cnIdCard: Recognizer = {
  name: 'cn_id_card_gb11643',
  entity: 'CN_ID_CARD',
  patterns: [CN_ID],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    CN_ID.lastIndex = 0;
    for (let m = CN_ID.exec(text); m; m = CN_ID.exec(text)) {
      if (!cnIdValid(m[0])) continue;
      const start = m.index;
      const end = start + 18;
      out.push({ type: 'CN_ID_CARD', start, end, score: boost(0.95, hasContext(text, start, end, CONTEXT, ctx), 0.05), recognizer: this.name });
    }
  },
};
