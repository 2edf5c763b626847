'use strict';
// Starts Strapi with only the REST and admin APIs (no admin panel build or UI), from this
// project's config/ and src/. Run by cms_sync/strapi/server.py with the runtime env it sets.
const { createStrapi } = require('@strapi/strapi');

createStrapi({ appDir: __dirname, distDir: __dirname, serveAdminPanel: false })
  .start()
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
