export * from './settings.js';
export * from './principal.js';
export * from './authorize.js';
export * from './errors.js';
export { JwksCache, type JwksCacheOptions, type JwksCacheState, type FetchLike } from './jwks-cache.js';
export { IssuerMetadataCache, type IssuerMetadata } from './issuer-metadata.js';
export { createOidcVerifier, extractBearer, type TokenVerifier, type VerifierDeps } from './verifier.js';
export { createTrustAllVerifier, TRUST_ALL_HEADER, TRUST_ALL_SUBJECT } from './trust-all.js';
export { createVerifier } from './create-verifier.js';
