'use strict';

module.exports = () => ({
  // cms_sync/strapi/source.py lists ids 1,000 a page and reads entries 100 at a time (by id).
  rest: { defaultLimit: 25, maxLimit: 1000, withCount: true },
});
