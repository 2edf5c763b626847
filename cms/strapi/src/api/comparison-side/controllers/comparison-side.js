'use strict';

// Rendered by cms_sync/strapi/content_types.py from schema/content-model.json.
const { factories } = require('@strapi/strapi');

module.exports = factories.createCoreController('api::comparison-side.comparison-side');
