'use strict';

module.exports = ({ env }) => ({
  // Only the admin API is used (register, login, API tokens, webhooks): no panel is built.
  serveAdminPanel: false,
  auth: { secret: env('ADMIN_JWT_SECRET') },
  apiToken: { salt: env('API_TOKEN_SALT') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY') },
  flags: { nps: false, promoteEE: false },
  // Five logins per five minutes per email and address; the tests log in more often.
  rateLimit: { enabled: env.bool('ADMIN_RATE_LIMIT', true) },
});
