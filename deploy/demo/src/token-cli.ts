/** `npm run -s token -- <identity>`: prints a development access token from the local stack's IdP. */
import { devAccessToken, type DevIdentity } from '@dph/testkit';

const who = (process.argv[2] ?? 'alice') as DevIdentity;
devAccessToken(who).then(
  (t) => console.log(t),
  (err: unknown) => {
    console.error(`token: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
