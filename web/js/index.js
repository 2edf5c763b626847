// @ts-check
// The list of published comparisons, from the API at runtime.
import { ComparisonList } from "../generated/operations.js";
import { byId, h, percent } from "./dom.js";
import { execute } from "./graphql.js";

async function main() {
  const list = byId("comparisons");
  try {
    const { comparisons } = await execute(ComparisonList, { first: 50 });
    if (comparisons.nodes.length === 0) {
      list.replaceChildren(h("li", {}, ["No comparisons are published yet."]));
      return;
    }
    list.replaceChildren(
      ...comparisons.nodes.map((c) =>
        h("li", {}, [
          h("article", { class: "comparison-item" }, [
            h("h3", {}, [h("a", { href: `/compare/${encodeURIComponent(c.slug)}` }, [c.title])]),
            h("p", {}, [c.headline]),
            h("p", { class: "muted" }, [
              c.sides.map((s) => `${s.tool.name} (${s.tool.vendor}): ${percent(s.panelShipPercent)} panel ship`).join(" · "),
              ` · ${c.voteCount} ${c.voteCount === 1 ? "vote" : "votes"}`,
            ]),
          ]),
        ]),
      ),
    );
  } catch (error) {
    const el = byId("load-error");
    el.textContent = `Could not load comparisons: ${error instanceof Error ? error.message : error}`;
    el.hidden = false;
  } finally {
    byId("main").setAttribute("aria-busy", "false");
  }
}

main();
