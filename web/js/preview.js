// The "Preview: drafts shown" banner. The preview cookie is HttpOnly, so the page asks the
// server whether this browser is in preview (/preview/status) and offers the way out.

/** @returns {Promise<void>} */
async function showBanner() {
  let state = null;
  try {
    const response = await fetch("/preview/status", { cache: "no-store", credentials: "same-origin" });
    state = response.ok ? await response.json() : null;
  } catch {
    state = null;
  }
  if (!state?.preview) return;
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

showBanner();
