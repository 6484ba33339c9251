/** API clients for the development identities, reusing the demo's client; tokens are cached per identity. */
import { apiUrl, caCert, devAccessToken, type DevIdentity } from '@dph/testkit';
import { ApiClient } from '@dph/testkit';

export function clientFor(identity: DevIdentity, baseUrl = apiUrl()): ApiClient {
  let token: { value: string; at: number } | undefined;
  let pending: Promise<string> | undefined;
  return new ApiClient({
    baseUrl,
    ca: caCert(),
    token: async () => {
      if (token && Date.now() - token.at < 5 * 60_000) return token.value;
      pending ??= devAccessToken(identity).finally(() => (pending = undefined));
      const value = await pending;
      token = { value, at: Date.now() };
      return value;
    },
  });
}
