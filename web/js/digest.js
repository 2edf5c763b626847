// @ts-check
// The page's digest box: "Weekly AI Tool Verdicts", subscribed through subscribeToDigest.
// Kept apart from compare.js: it needs nothing of the comparison and works on any page that
// has the box.

import { SubscribeToDigest } from "../generated/operations.js";
import { byId } from "./dom.js";
import { execute } from "./graphql.js";

function start() {
  const form = /** @type {HTMLFormElement} */ (byId("digest-form"));
  const input = /** @type {HTMLInputElement} */ (byId("digest-email"));
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  const status = byId("digest-status");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.dataset.state = "pending";
    status.textContent = "Sending…";
    try {
      const { subscribeToDigest: result } = await execute(SubscribeToDigest, { email: input.value });
      // Every result carries a message written for the reader.
      status.textContent = result.message;
      status.dataset.state = result.__typename === "DigestSubscriptionRequested" ? "done" : "error";
      if (result.__typename === "DigestSubscriptionRequested") form.reset();
      else input.focus();
    } catch {
      status.dataset.state = "error";
      status.textContent = "Could not reach the server; try again in a moment.";
    } finally {
      button.disabled = false;
    }
  });
}

start();
