export { startTestIdp, newSigningKey, type SigningKey, type TestIdp, type TestIdpClient, type TestIdpOptions } from './test-idp.js';
