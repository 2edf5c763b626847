// @ts-check
// GraphQL over HTTP with Apollo automatic persisted queries (APQ).
//
// A query is first sent as GET with only its hash (extensions.persistedQuery.sha256Hash), so a
// server or CDN that knows the document can answer (and cache) it. On PersistedQueryNotFound the
// full document is POSTed with the same hash, which registers it. A server that does not speak
// APQ (it answers without data, e.g. "no query found") gets full documents for the rest of the
// page's life. Mutations follow the same steps over POST only.

/** @template R, V @typedef {import("../generated/operations.js").Operation<R, V>} Operation */

/**
 * @typedef {{ message: string; extensions?: { code?: string } & Record<string, unknown> }} GraphQLError
 */

/**
 * @template R
 * @typedef {{ data?: R | null; errors?: GraphQLError[] }} GraphQLResponse
 */

export const ENDPOINT = "/graphql";
const ACCEPT = "application/graphql-response+json, application/json;q=0.9";

/** Set once the server shows it does not speak APQ. */
let persistedQueriesSupported = true;

/** A request that got no GraphQL result at all (network, server error, garbled body). */
export class GraphQLRequestError extends Error {}

/**
 * Execute a query or mutation and return its data; GraphQL errors are thrown.
 * @template R, V
 * @param {Operation<R, V>} operation
 * @param {V} variables
 * @returns {Promise<R>}
 */
export async function execute(operation, variables) {
  const body = await executeRaw(operation, variables);
  if (body.errors && body.errors.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join("; "));
  }
  if (body.data == null) throw new GraphQLRequestError("The API returned no data.");
  return body.data;
}

/**
 * The whole GraphQL response (data and errors) of an operation, persisted when possible.
 * @template R, V
 * @param {Operation<R, V>} operation
 * @param {V} variables
 * @returns {Promise<GraphQLResponse<R>>}
 */
export async function executeRaw(operation, variables) {
  const extensions = { persistedQuery: { version: 1, sha256Hash: operation.sha256 } };
  if (persistedQueriesSupported) {
    const first = await send(operation, variables, extensions, false);
    if (first.outcome === "result") return first.body;
    if (first.outcome === "unsupported") persistedQueriesSupported = false;
  }
  const full = await send(operation, variables, extensions, true);
  if (full.outcome === "result") return full.body;
  throw new GraphQLRequestError(`The API did not answer ${operation.name} (HTTP ${full.status}).`);
}

/**
 * @template R, V
 * @param {Operation<R, V>} operation
 * @param {V} variables
 * @param {object} extensions
 * @param {boolean} withDocument
 * @returns {Promise<{ outcome: "result"; body: GraphQLResponse<R> } | { outcome: "not-found" | "unsupported" | "failed"; status: number }>}
 */
async function send(operation, variables, extensions, withDocument) {
  /** @type {Record<string, unknown>} */
  const payload = { operationName: operation.name, variables, extensions };
  if (withDocument) payload.query = operation.document;
  /** @type {Response} */
  let response;
  if (operation.kind === "query" && !withDocument) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(payload)) params.set(key, JSON.stringify(value));
    params.set("operationName", operation.name);
    // no-cache: revalidate (ETag / 304) rather than show stale tallies from the HTTP cache.
    response = await fetch(`${ENDPOINT}?${params}`, {
      headers: { accept: ACCEPT },
      cache: "no-cache",
      credentials: "same-origin",
    });
  } else {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { accept: ACCEPT, "content-type": "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
  }
  /** @type {GraphQLResponse<R> | null} */
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const codes = (body?.errors ?? []).map((e) => e.extensions?.code ?? e.message);
  if (codes.some((c) => c === "PERSISTED_QUERY_NOT_FOUND" || c === "PersistedQueryNotFound")) {
    return { outcome: "not-found", status: response.status };
  }
  if (
    codes.some((c) => c === "PERSISTED_QUERY_NOT_SUPPORTED" || c === "PersistedQueryNotSupported")
  ) {
    return { outcome: "unsupported", status: response.status };
  }
  if (body && typeof body === "object" && ("data" in body || (withDocument && body.errors))) {
    return { outcome: "result", body };
  }
  // Hash only, and the server answered without a GraphQL result: it ignored the extension.
  return { outcome: withDocument ? "failed" : "unsupported", status: response.status };
}
