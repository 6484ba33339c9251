import type { EntityType, Recognizer } from '../types.js';
import { cnBankCard } from './cn-bank-card.js';
import { cnIdCard } from './cn-id-card.js';
import { cnMobile } from './cn-mobile.js';
import { creditCard } from './credit-card.js';
import { emailAddress } from './email-address.js';
import { ipAddress } from './ip-address.js';
import { phoneNumber } from './phone-number.js';
import { usSsn } from './us-ssn.js';

/** All recognizers, in tie-break priority order (earlier wins an overlap with an equal score and length). */
export const RECOGNIZERS: readonly Recognizer[] = [cnIdCard, cnBankCard, creditCard, cnMobile, usSsn, emailAddress, ipAddress, phoneNumber];

export const RECOGNIZER_NAMES: ReadonlySet<string> = new Set(RECOGNIZERS.map((r) => r.name));

export const PRIORITY: Readonly<Record<EntityType, number>> = Object.fromEntries(
  RECOGNIZERS.map((r, i) => [r.entity, i]),
) as Record<EntityType, number>;

export { cnBankCard, cnIdCard, cnMobile, creditCard, emailAddress, ipAddress, phoneNumber, usSsn };
