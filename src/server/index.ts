/**
 * `sealsync/server`: the reference server (the sync model) — command handlers with every server-side
 * check, over a `Storage` (in memory by default), plus its `node:http` binding.
 * @module
 */
export { SealsyncServer, httpStatusOf, type SealsyncServerOptions, type ProcessResult, type CreatedOrganization, type RequestPeer } from './server.js';
export { DEFAULT_RATE_LIMITS, RateLimiter, takeToken, type RateLimit, type RateLimitOptions, type RateDecision } from './rate-limit.js';
export { createHttpHandler, type HttpHandlerOptions } from './http.js';
export { CorsPolicy, parseAllowedOrigin, CORS_ALLOWED_HEADERS } from './cors.js';
export { AUTHOR_NOT_REQUESTER } from './handlers/certificates.js';
export { DEFAULT_MAX_ATTEMPTS } from './invitation-rules.js';
export { DEFAULT_EVENT_CAPACITY } from './events.js';
export { ServerAdmin, type OrganizationSummary, type OrganizationStats, type SettingsChange } from './admin/api.js';
export { DEFAULT_SETTINGS, type OrganizationSettings } from './admin/settings.js';
export { MIN_ADMIN_TOKEN_LENGTH } from './admin/http.js';
export { organizationIdFromName } from './org-name.js';
export { StorageBlockStore, type BlockStore } from './block-store.js';
export type { SharedDatabase } from './shared.js';
export { openPostgres, type PostgresBackendHandle } from './postgres.js';
