// @ts-check
// The comparison page: everything shown comes from the API at runtime.
import { CastVote, ComparisonPage, VoteTally } from "../generated/operations.js";
import { byId, h, percent } from "./dom.js";
import { execute } from "./graphql.js";
import { mintVoter } from "./voter.js";
import { defaultSocketUrl, TransportWsClient } from "./ws.js";

/** @typedef {import("../generated/operations.js").ComparisonPageResult} ComparisonPageResult */
/** @typedef {NonNullable<ComparisonPageResult["comparison"]>} Comparison */
/** @typedef {Comparison["sides"][number]} Side */
/** @typedef {import("../generated/operations.js").Lens} Lens */
/** @typedef {{ totalVotes: number; sides: Array<{ toolSlug: string; voteCount: number; voteShare: number | null }> }} Tally */

/** @type {Record<Lens, string>} */
const LENS_LABELS = {
  DEVELOPER_EXPERIENCE: "Developer experience",
  COMPETITION: "Competition",
  THESIS: "Thesis",
  BUSINESS: "Business",
};

const state = {
  slug: "",
  /** @type {Comparison | null} */
  comparison: null,
  /** @type {string | null} */
  myVote: null,
  /** @type {Tally | null} */
  tally: null,
};

function slugFromLocation() {
  const match = location.pathname.match(/^\/compare\/([^/]+)\/?$/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function main() {
  state.slug = slugFromLocation();
  const main = byId("main");
  try {
    const data = await execute(ComparisonPage, { slug: state.slug });
    if (!data.comparison) {
      showError(`No published comparison is called “${state.slug}”.`);
      byId("title").textContent = "Comparison not found";
      return;
    }
    render(data.comparison);
    subscribe();
  } catch (error) {
    byId("title").textContent = "Comparison unavailable";
    showError(`Could not load the comparison: ${error instanceof Error ? error.message : error}`);
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

/** @param {string} message */
function showError(message) {
  const el = byId("load-error");
  el.textContent = message;
  el.hidden = false;
}

/** @param {Comparison} comparison */
function render(comparison) {
  state.comparison = comparison;
  state.myVote = comparison.myVote;
  document.title = `${comparison.title} · Verdict`;
  byId("title").textContent = comparison.title;
  byId("headline").textContent = comparison.headline;
  byId("summary").textContent = comparison.summary ?? "";
  byId("verdict").textContent = panelVerdictText(comparison);
  renderCards(comparison);
  renderScorecard(comparison);
  renderSplit(comparison);
  renderPricing(comparison);
  renderVote(comparison);
  for (const id of ["tools", "scorecard", "split", "pricing", "vote"]) byId(id).hidden = false;
  byId("split").hidden = comparison.reviewerSplit.length === 0;
  byId("scorecard").hidden = comparison.reviewerSplit.length === 0;
  applyTally({
    totalVotes: comparison.voteCount,
    sides: comparison.sides.map((s) => ({
      toolSlug: s.tool.slug,
      voteCount: s.voteCount,
      voteShare: s.voteShare,
    })),
  });
}

/** @param {Comparison} comparison */
function panelVerdictText(comparison) {
  const verdict = comparison.panelVerdict;
  if (!verdict) return "";
  if (verdict.outcome === "TIE") {
    const top = Math.max(...comparison.sides.map((s) => s.panelShipPercent ?? 0));
    return `The panel's verdict: a tie, every side at ${top}% ship.`;
  }
  const name = verdict.favouredSide?.tool.name ?? "";
  return `The panel favours ${name} by ${verdict.margin} points.`;
}

/** @param {Comparison} comparison */
function renderCards(comparison) {
  const cards = comparison.sides.map((side) =>
    h("article", { class: "tool-card", "data-tool": side.tool.slug, "aria-labelledby": `tool-${side.tool.slug}` }, [
      h("p", { class: "category" }, [side.tool.category]),
      h("h3", { id: `tool-${side.tool.slug}` }, [side.tool.name]),
      h("p", { class: "vendor" }, [`by ${side.tool.vendor}`]),
      h("p", { class: "tagline" }, [side.tool.tagline]),
      h("dl", { class: "stats" }, [
        stat(percent(side.panelShipPercent), "Panel ship", "panel-ship"),
        stat(percent(side.voteShare), "Community", "community-share"),
        stat(side.pricingEntry, "Entry", "entry-price"),
      ]),
      side.tool.description ? h("p", { class: "description" }, [side.tool.description]) : null,
    ]),
  );
  byId("tool-cards").replaceChildren(...cards);
}

/** @param {string} value @param {string} label @param {string} cls */
function stat(value, label, cls) {
  return h("div", { class: `stat ${cls}` }, [h("dt", {}, [label]), h("dd", {}, [value])]);
}

/** @param {Comparison} comparison */
function renderScorecard(comparison) {
  const names = new Map(comparison.sides.map((s) => [s.tool.slug, s.tool.name]));
  const rows = comparison.reviewerSplit.map((row) =>
    h("article", { class: "reviewer", "aria-labelledby": `reviewer-${row.reviewer.slug}` }, [
      h("h3", { id: `reviewer-${row.reviewer.slug}` }, [
        row.reviewer.name,
        h("span", { class: "lens" }, [LENS_LABELS[row.reviewer.lens] ?? row.reviewer.lens]),
      ]),
      h(
        "div",
        { class: "takes" },
        row.sides.map((take) =>
          h("figure", { class: "take" }, [
            h("figcaption", {}, [
              h("span", { class: "take-tool" }, [names.get(take.tool.slug) ?? take.tool.slug]),
              verdictBadge(take.verdict),
            ]),
            take.quote ? h("blockquote", {}, [h("p", {}, [`“${take.quote}”`])]) : h("p", { class: "muted" }, ["No review yet."]),
          ]),
        ),
      ),
    ]),
  );
  byId("reviews").replaceChildren(...rows);
}

/** @param {"SHIP" | "SKIP" | null} verdict */
function verdictBadge(verdict) {
  if (!verdict) return h("span", { class: "badge none" }, ["Not reviewed"]);
  return h("span", { class: `badge ${verdict.toLowerCase()}` }, [verdict === "SHIP" ? "Ship" : "Skip"]);
}

/** @param {Comparison} comparison */
function renderSplit(comparison) {
  const head = h("thead", {}, [
    h("tr", {}, [
      h("th", { scope: "col" }, ["Reviewer"]),
      h("th", { scope: "col", class: "lens-col" }, ["Lens"]),
      ...comparison.sides.map((s) => h("th", { scope: "col" }, [s.tool.name])),
    ]),
  ]);
  const body = h(
    "tbody",
    {},
    comparison.reviewerSplit.map((row) =>
      h("tr", {}, [
        h("th", { scope: "row" }, [row.reviewer.name]),
        h("td", { class: "lens-col" }, [LENS_LABELS[row.reviewer.lens] ?? row.reviewer.lens]),
        ...row.sides.map((take) => h("td", {}, [verdictBadge(take.verdict)])),
      ]),
    ),
  );
  const totals = h("tfoot", {}, [
    h("tr", {}, [
      h("th", { scope: "row" }, ["Panel ship"]),
      h("td", { class: "lens-col" }),
      ...comparison.sides.map((s) =>
        h("td", {}, [
          percent(s.panelShipPercent),
          h("span", { class: "split-counts" }, [`${s.panelShipCount} ship · ${s.panelSkipCount} skip`]),
        ]),
      ),
    ]),
  ]);
  const table = byId("split-table");
  table.replaceChildren(h("caption", { class: "visually-hidden" }, ["Each reviewer's verdict per tool"]), head, body, totals);
}

/** @param {Comparison} comparison */
function renderPricing(comparison) {
  byId("pricing-entries").replaceChildren(
    ...comparison.sides.map((s) =>
      h("li", {}, [h("span", { class: "pricing-tool" }, [s.tool.name]), " ", h("strong", {}, [s.pricingEntry])]),
    ),
  );
  byId("pricing-read").textContent = comparison.pricingRead ?? "The editors have not written a pricing read yet.";
}

/** @param {Comparison} comparison */
function renderVote(comparison) {
  const buttons = comparison.sides.map((side) => {
    const button = h("button", {
      type: "button",
      class: "vote-button",
      "data-tool": side.tool.slug,
      "aria-label": `Vote for ${side.tool.name}`,
      "aria-pressed": String(state.myVote === side.tool.slug),
      disabled: !comparison.votingOpen,
    }, [side.tool.name]);
    button.addEventListener("click", () => castVote(side.tool.slug, /** @type {HTMLButtonElement} */ (button)));
    return button;
  });
  byId("vote-buttons").replaceChildren(...buttons);
  byId("vote-intro").textContent = comparison.votingOpen
    ? "Which one would you ship with? One vote per visitor; voting again moves your vote."
    : "Voting on this comparison is closed.";
}

/** @param {string} toolSlug @param {HTMLButtonElement} button */
async function castVote(toolSlug, button) {
  const status = byId("vote-status");
  button.disabled = true;
  status.textContent = "Sending your vote…";
  try {
    const input = { comparisonSlug: state.slug, toolSlug, idempotencyKey: idempotencyKey() };
    let { castVote: result } = await execute(CastVote, { input });
    if (result.__typename === "VoterRequired") {
      // The first vote of this browser: become a voter once (POST /voter), then vote.
      status.textContent = "Checking this browser before its first vote…";
      await mintVoter();
      ({ castVote: result } = await execute(CastVote, { input }));
    }
    switch (result.__typename) {
      case "VoteSuccess":
        state.myVote = result.myVote;
        applyTally(result.tally);
        status.textContent = `Your vote for ${toolName(toolSlug)} is counted.`;
        break;
      case "RateLimited":
        status.textContent = `Too many votes: try again in ${result.retryAfterSeconds} s.`;
        break;
      default:
        status.textContent = result.message;
    }
  } catch (error) {
    status.textContent = `Your vote was not sent: ${error instanceof Error ? error.message : error}`;
  } finally {
    button.disabled = !(state.comparison?.votingOpen ?? false);
  }
}

/** A fresh key per click, so a retried request is counted once (crypto.randomUUID needs https). */
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** @param {string} slug */
function toolName(slug) {
  return state.comparison?.sides.find((s) => s.tool.slug === slug)?.tool.name ?? slug;
}

/** Show a tally: the vote section, the community share on the cards, the pressed button. @param {Tally} tally */
function applyTally(tally) {
  state.tally = tally;
  const total = tally.totalVotes;
  const rows = tally.sides.map((side) => {
    const fill = h("span", { class: "tally-fill" });
    fill.style.width = `${side.voteShare ?? 0}%`; // CSSOM, which the page's CSP allows
    return h("div", { class: "tally-row", "data-tool": side.toolSlug }, [
      h("span", { class: "tally-name" }, [toolName(side.toolSlug)]),
      h("span", { class: "tally-bar", "aria-hidden": "true" }, [fill]),
      h("span", { class: "tally-count" }, [
        `${side.voteCount} ${side.voteCount === 1 ? "vote" : "votes"} (${percent(side.voteShare)})`,
      ]),
    ]);
  });
  const summary = h("p", { class: "tally-total" }, [
    total === 0 ? "No votes yet." : `${total} ${total === 1 ? "vote" : "votes"} in total.`,
  ]);
  byId("tally").replaceChildren(summary, ...rows);
  for (const side of tally.sides) {
    const card = document.querySelector(`.tool-card[data-tool="${CSS.escape(side.toolSlug)}"] .community-share dd`);
    if (card) card.textContent = percent(side.voteShare);
  }
  for (const button of document.querySelectorAll(".vote-button")) {
    button.setAttribute("aria-pressed", String(button.getAttribute("data-tool") === state.myVote));
  }
}

function subscribe() {
  const live = byId("live-status");
  const client = new TransportWsClient(defaultSocketUrl());
  client.subscribe(VoteTally, { comparisonSlug: state.slug }, {
    next: ({ voteTally }) => {
      if (voteTally.__typename === "ComparisonTally") applyTally(voteTally);
      else live.textContent = voteTally.message;
    },
    error: (message) => {
      live.textContent = `Live updates stopped: ${message}`;
    },
    status: (s) => {
      live.textContent = s === "live" ? "Live: the tally updates as people vote." : s === "connecting" ? "Connecting to live updates…" : "Reconnecting to live updates…";
      live.dataset.state = s;
    },
  });
}

main();
