// The "Preview: drafts shown" banner. The preview cookie is HttpOnly, so the page asks the
// server whether this browser is in preview (/preview/status) and offers the way out. In preview
// the page reloads once the content changed (a save in the CMS was synced): Directus reloads its
// Live Preview pane on save, before the sync has run.

const STATUS = "/preview/status";
const WATCH_EVERY_MS = 500;

/** @returns {Promise<{ preview: boolean; version?: string } | null>} */
async function status() {
  try {
    const response = await fetch(STATUS, { cache: "no-store", credentials: "same-origin" });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** @returns {void} */
function showBanner() {
  const banner = document.createElement("div");
  banner.id = "preview-banner";
  banner.className = "preview-banner";
  banner.setAttribute("role", "status");
  const label = document.createElement("strong");
  label.textContent = "Preview: drafts shown";
  const note = document.createElement("span");
  note.textContent = " Unpublished changes are visible to you only. ";
  const leave = document.createElement("a");
  leave.href = `/preview/exit?to=${encodeURIComponent(location.pathname)}`;
  leave.textContent = "Leave preview";
  banner.append(label, note, leave);
  document.body.prepend(banner);
}

/** @param {string | undefined} seen */
function reloadOnChange(seen) {
  setInterval(async () => {
    const now = await status();
    if (now?.preview && now.version !== undefined && now.version !== seen) location.reload();
  }, WATCH_EVERY_MS);
}

const first = await status();
if (first?.preview) {
  showBanner();
  reloadOnChange(first.version);
}
