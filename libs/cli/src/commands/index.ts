import { piiScan } from './pii-scan.js';
import { auditVerify } from './audit-verify.js';
import { dlq } from './dlq.js';
import type { CliCommand } from './types.js';

/**
 * Every command of `dph`. To add one: create `commands/<group>-<name>.ts` exporting a CliCommand and append it
 * here (e.g. the audit group's `dph audit verify`).
 */
export const COMMANDS: readonly CliCommand[] = [piiScan, auditVerify, dlq];
