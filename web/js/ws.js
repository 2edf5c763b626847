// @ts-check
// A minimal graphql-transport-ws client (the protocol of the `graphql-ws` library):
// connection_init -> connection_ack, subscribe / next / error / complete, ping -> pong.
// Reconnects with capped backoff and resubscribes; the API sends current tallies on subscribe,
// so nothing is missed across a reconnect.

/** @template R, V @typedef {import("../generated/operations.js").Operation<R, V>} Operation */

/**
 * @template R
 * @typedef {{
 *   next: (data: R) => void;
 *   error?: (message: string) => void;
 *   complete?: () => void;
 *   status?: (state: "connecting" | "live" | "reconnecting") => void;
 * }} Sink
 */

const PROTOCOL = "graphql-transport-ws";

export class TransportWsClient {
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.acknowledged = false;
    this.nextId = 1;
    this.retries = 0;
    /** @type {Map<string, { payload: object; sink: Sink<any> }>} */
    this.active = new Map();
  }

  /**
   * Start a subscription; returns a function that ends it.
   * @template R, V
   * @param {Operation<R, V>} operation
   * @param {V} variables
   * @param {Sink<R>} sink
   * @returns {() => void}
   */
  subscribe(operation, variables, sink) {
    const id = String(this.nextId++);
    const payload = { query: operation.document, operationName: operation.name, variables };
    this.active.set(id, { payload, sink });
    if (this.acknowledged) this.send({ id, type: "subscribe", payload });
    else this.connect();
    return () => {
      if (this.active.delete(id) && this.acknowledged) this.send({ id, type: "complete" });
    };
  }

  /** @param {object} message */
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  connect() {
    if (this.socket) return;
    this.notify(this.retries ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    socket.addEventListener("open", () => this.send({ type: "connection_init", payload: {} }));
    socket.addEventListener("message", (event) => this.receive(String(event.data)));
    socket.addEventListener("close", (event) => this.closed(event));
  }

  /** @param {string} raw */
  receive(raw) {
    /** @type {{ type: string; id?: string; payload?: any }} */
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      this.socket?.close(4400, "Invalid message");
      return;
    }
    const entry = message.id ? this.active.get(message.id) : undefined;
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.retries = 0;
        this.notify("live");
        for (const [id, { payload }] of this.active) this.send({ id, type: "subscribe", payload });
        break;
      case "ping":
        this.send(message.payload ? { type: "pong", payload: message.payload } : { type: "pong" });
        break;
      case "pong":
        break;
      case "next":
        if (entry && message.payload?.data) entry.sink.next(message.payload.data);
        else if (entry && message.payload?.errors) {
          entry.sink.error?.(message.payload.errors.map((/** @type {any} */ e) => e.message).join("; "));
        }
        break;
      case "error":
        if (entry && message.id) {
          this.active.delete(message.id);
          entry.sink.error?.((message.payload ?? []).map((/** @type {any} */ e) => e.message).join("; "));
        }
        break;
      case "complete":
        if (entry && message.id) {
          this.active.delete(message.id);
          entry.sink.complete?.();
        }
        break;
      default:
        this.socket?.close(4400, `Unexpected message type ${message.type}`);
    }
  }

  /** @param {CloseEvent} event */
  closed(event) {
    this.socket = null;
    this.acknowledged = false;
    if (this.active.size === 0) return;
    // 4400s are protocol refusals (bad request, too many subscriptions, forbidden): do not loop.
    if (event.code >= 4400 && event.code < 4500 && event.code !== 4408) {
      for (const { sink } of this.active.values()) sink.error?.(`Live updates refused (${event.code}).`);
      this.active.clear();
      return;
    }
    this.retries += 1;
    this.notify("reconnecting");
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.retries, 6)) * (0.5 + Math.random() / 2);
    setTimeout(() => this.connect(), delay);
  }

  /** @param {"connecting" | "live" | "reconnecting"} state */
  notify(state) {
    for (const { sink } of this.active.values()) sink.status?.(state);
  }
}

/** The API's WebSocket URL on the page's own origin. */
export function defaultSocketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}
