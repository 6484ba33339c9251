export { fetchDevToken } from './token.js';
export { loadOrCreateClients, type DevClient } from './clients.js';
