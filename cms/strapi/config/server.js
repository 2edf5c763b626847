'use strict';

module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  app: { keys: env.array('APP_KEYS') },
  // Uploads and other public files live with the runtime data, outside the committed project.
  dirs: { public: env('PUBLIC_DIR', 'runtime/public') },
  // No update check against the registry (the machine may have no way out).
  logger: { updates: { enabled: false }, startup: { enabled: false } },
  webhooks: { populateRelations: false },
});
