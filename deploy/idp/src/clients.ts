/**
 * The development identities of the local stack and the demo. Each is an OAuth client using the
 * client_credentials grant, so its token subject is the client id. Secrets are generated on first start and
 * kept (mode 600) in the IdP's state folder; they never appear in the repository.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevClient {
  id: string;
  secret: string;
  scenes: string[];
  roles: string[];
  description: string;
}

const IDENTITIES: Omit<DevClient, 'secret'>[] = [
  { id: 'alice', scenes: ['credit', 'hr'], roles: [], description: 'submitter in the credit and hr scenes' },
  { id: 'bob', scenes: ['credit'], roles: [], description: 'submitter in the credit scene' },
  { id: 'olivia', scenes: ['credit'], roles: ['operator:credit'], description: 'operator of the credit scene' },
  { id: 'victor', scenes: [], roles: ['auditor:*'], description: 'auditor of every scene' },
];

export function loadOrCreateClients(stateDir: string): DevClient[] {
  const file = join(stateDir, 'clients.json');
  const known: DevClient[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevClient[]) : [];
  const clients = IDENTITIES.map((identity) => ({
    ...identity,
    secret: known.find((k) => k.id === identity.id)?.secret ?? randomBytes(24).toString('base64url'),
  }));
  writeFileSync(file, JSON.stringify(clients, null, 2) + '\n', { mode: 0o600 });
  return clients;
}
