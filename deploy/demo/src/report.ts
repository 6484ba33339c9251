export interface Outcome {
  name: string;
  source: string;
  jobId: string;
  status: string;
  errorCode: string | null;
  pii: Record<string, number>;
  chunks: number;
  webhook: string;
  auditEvents: number;
  redactedPath: string | undefined;
}

export function printReport(outcomes: Outcome[], o: { apiUrl: string; caFile: string }): void {
  console.log('\nResults');
  for (const r of outcomes) {
    const pii = Object.entries(r.pii).sort().map(([t, n]) => `${t}×${n}`).join(', ') || 'none';
    console.log(`\n  ${r.name}  (${r.source})`);
    console.log(`    job            ${r.jobId}`);
    console.log(`    status         ${r.status}${r.errorCode ? ` (${r.errorCode})` : ''}`);
    console.log(`    PII found      ${pii}`);
    console.log(`    chunks         ${r.chunks}`);
    console.log(`    webhook        ${r.webhook}`);
    console.log(`    audit events   ${r.auditEvents}`);
    if (r.redactedPath) console.log(`    redacted md    ${r.redactedPath}`);
  }
  const ok = outcomes.filter((r) => r.status === 'succeeded').length;
  console.log(`\n${ok} of ${outcomes.length} documents succeeded. The stack keeps running. Try it yourself:\n`);
  console.log(`  TOKEN=$(npm run -s token -- alice)`);
  console.log(`  curl --cacert ${o.caFile} -H "Authorization: Bearer $TOKEN" -H "X-Tenant-Scene: credit" \\`);
  console.log(`       -F business_ref=my-first-doc -F file=@docs/samples/credit-application.md ${o.apiUrl}/v1/jobs`);
  console.log(`  curl --cacert ${o.caFile} -H "Authorization: Bearer $TOKEN" -H "X-Tenant-Scene: credit" ${o.apiUrl}/v1/jobs/<jobId>?wait=10`);
  console.log(`\n  Identities: alice, bob (submitters), olivia (operator of credit), victor (auditor).`);
  console.log(`  Stop everything with: npm run stack -- down\n`);
}
