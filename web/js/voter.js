// @ts-check
// Becoming a voter: the one deliberate step a browser takes before its first vote.
// GET /voter/challenge says what the server asks for; a proof of work is solved here with
// WebCrypto (SHA-256 of "<challenge>:<nonce>" with enough leading zero bits); POST /voter then
// sets the HttpOnly voter cookie. A site with a bot check (Turnstile, hCaptcha) defines
// window.verdictBotCheckToken(), an async function returning the widget's token.

/** Thrown when the server will not mint a voter; the message says why. */
export class VoterError extends Error {}

/** @param {Uint8Array} digest */
function leadingZeroBits(digest) {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** A nonce for the challenge, in batches so the page stays responsive. @param {string} challenge @param {number} bits */
async function solve(challenge, bits) {
  const encoder = new TextEncoder();
  for (let start = 0; ; start += 256) {
    const batch = [];
    for (let n = start; n < start + 256; n++) {
      batch.push(crypto.subtle.digest("SHA-256", encoder.encode(`${challenge}:${n}`)));
    }
    const digests = await Promise.all(batch);
    for (let i = 0; i < digests.length; i++) {
      if (leadingZeroBits(new Uint8Array(digests[i])) >= bits) return String(start + i);
    }
  }
}

/** Mint this browser's voter (the server keeps it in a cookie). */
export async function mintVoter() {
  const asked = await fetch("/voter/challenge", { credentials: "same-origin" });
  if (!asked.ok) throw new VoterError(`The API did not answer /voter/challenge (HTTP ${asked.status}).`);
  const { proofOfWork, botCheck } = await asked.json();
  /** @type {Record<string, string>} */
  const body = {};
  if (proofOfWork) {
    body.challenge = proofOfWork.challenge;
    body.nonce = await solve(proofOfWork.challenge, proofOfWork.bits);
  }
  const hook = /** @type {any} */ (window).verdictBotCheckToken;
  if (botCheck && typeof hook === "function") body.botCheckToken = await hook();
  const minted = await fetch("/voter", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!minted.ok) {
    const answer = await minted.json().catch(() => null);
    throw new VoterError(answer?.error?.message ?? `POST /voter failed (HTTP ${minted.status}).`);
  }
}
