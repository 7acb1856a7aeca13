// The timeline page: plain JavaScript over the public JSON API (no framework, no build step, nothing inline, so it
// runs under a Content Security Policy that allows scripts and styles from this origin only). The whole view lives
// in the URL (filters, search and an open source), so a link reproduces it and Back works.
"use strict";

(() => {
  const PAGE_SIZE = 10;
  const FACET_VALUES = 12;
  const FILTERS = ["q", "category", "entity", "tag", "from", "to", "source"];
  const VIEWER = ["open", "start", "end"]; // the source open in the viewer, and the quoted passage's offsets
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

  const $ = (id) => document.getElementById(id);
  const form = $("filter-form");
  const timeline = $("timeline");
  const status = $("status");
  const more = $("more");
  const viewer = $("source-viewer");

  let generation = 0; // a newer view makes the answers of an older one void
  let nextCursor = null;
  let lastYear = null;
  let shown = 0;
  let loading = false;
  let categoriesLoaded = false;

  // ---- the URL is the state -------------------------------------------------------------------------------
  function currentState() {
    const params = new URLSearchParams(location.search);
    const state = {};
    for (const name of FILTERS) {
      const value = params.get(name);
      if (value) state[name] = value;
    }
    for (const name of VIEWER) {
      const value = params.get(name);
      if (value) state[name] = value;
    }
    return state;
  }

  function filterQuery(state) {
    const query = new URLSearchParams();
    for (const name of FILTERS) {
      if (state[name]) query.set(name, state[name]);
    }
    return query;
  }

  function pageUrl(state) {
    const query = new URLSearchParams(filterQuery(state));
    for (const name of VIEWER) {
      if (state[name]) query.set(name, state[name]);
    }
    const text = query.toString();
    return "/timeline" + (text ? "?" + text : "");
  }

  function navigate(state, replace) {
    const url = pageUrl(state);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    render();
  }

  // ---- talking to the API --------------------------------------------------------------------------------
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = body && (body.detail || body.title);
      const error = new Error(detail || `The API answered ${response.status}.`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // ---- dates at their precision ----------------------------------------------------------------------------
  function formatDate(value) {
    if (!value) return "";
    const [year, month, day] = value.split("-");
    if (day) return `${Number(day)} ${MONTHS[Number(month) - 1]} ${year}`;
    if (month) return `${MONTHS[Number(month) - 1]} ${year}`;
    return year;
  }

  function dateElement(value) {
    const time = document.createElement("time");
    time.dateTime = value;
    time.textContent = formatDate(value);
    return time;
  }

  // ---- small DOM helpers -----------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // A snippet from the API is escaped text with <mark> around the matched words; only those marks become elements.
  function snippetElement(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = el("p", { className: "snippet" });
    for (const node of template.content.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === "MARK") out.append(el("mark", { text: node.textContent }));
      else out.append(document.createTextNode(node.textContent));
    }
    return out;
  }

  function link(state, text, extra) {
    const a = el("a", Object.assign({ href: pageUrl(state), text }, extra || {}));
    a.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(state);
      $("events").focus();
    });
    return a;
  }

  // ---- one event -------------------------------------------------------------------------------------------
  function eventElement(summary, detail) {
    const state = currentState();
    const article = el("article", { className: "event", id: "event-" + summary.id, "data-event-id": summary.id, "aria-labelledby": "title-" + summary.id });
    const when = el("span", { className: "event-date" }, dateElement(summary.date));
    if (summary.endDate) when.append(" – ", dateElement(summary.endDate));
    article.append(el("div", { className: "event-meta" },
      when,
      link(Object.assign(filtersOnly(state), { category: summary.category }), summary.category, { className: "category", "aria-label": "Category: " + summary.category })));
    article.append(el("h4", { id: "title-" + summary.id, text: summary.title }));
    if (summary.snippet) article.append(snippetElement(summary.snippet));
    article.append(el("p", { text: summary.summary }));
    if (summary.caveats && summary.caveats.length) {
      const caveats = el("ul", { className: "caveats", "aria-label": "Caveats" });
      for (const caveat of summary.caveats) caveats.append(el("li", {}, el("span", { className: "visually-hidden", text: "Caveat: " }), caveat));
      article.append(caveats);
    }
    if (detail && detail.entities && detail.entities.length) {
      const entities = el("ul", { className: "entities", "aria-label": "Entities" });
      for (const entity of detail.entities) {
        entities.append(el("li", {},
          link({ entity: entity.id }, entity.name, { "data-entity": entity.id }),
          " ", el("span", { className: "role", text: "(" + entity.role + ")" })));
      }
      article.append(entities);
    }
    if (detail && detail.citations && detail.citations.length) {
      const citations = el("ol", { className: "citations", "aria-label": "Citations" });
      detail.citations.forEach((citation) => {
        const open = el("button", { type: "button", "data-source": citation.sourceId, "aria-label": `Read it in the source: ${citation.sourceTitle}` }, "Read it in the source");
        open.addEventListener("click", () => navigate(Object.assign(currentState(), { open: citation.sourceId, start: String(citation.startOffset), end: String(citation.endOffset) })));
        citations.append(el("li", {},
          el("blockquote", { text: "“" + citation.quote + "”" }),
          el("div", {}, "— ", el("cite", { text: citation.sourceTitle }), " ", open)));
      });
      article.append(citations);
    }
    return article;
  }

  function filtersOnly(state) {
    const copy = {};
    for (const name of FILTERS) if (state[name]) copy[name] = state[name];
    return copy;
  }

  // ---- pages of events -------------------------------------------------------------------------------------
  async function loadPage(mine, state) {
    if (loading) return;
    loading = true;
    more.hidden = true;
    document.body.dataset.paging = "busy";
    try {
      const query = filterQuery(state);
      query.set("limit", String(PAGE_SIZE));
      if (nextCursor) query.set("cursor", nextCursor);
      const page = await getJson("/events?" + query);
      const details = await Promise.all(page.items.map((item) => getJson("/events/" + encodeURIComponent(item.id)).catch(() => null)));
      if (mine !== generation) return;
      page.items.forEach((item, i) => {
        const year = item.date.slice(0, 4);
        if (year !== lastYear) {
          timeline.append(el("h3", { className: "year", id: "year-" + year, text: year }));
          lastYear = year;
        }
        timeline.append(eventElement(item, details[i]));
      });
      shown += page.items.length;
      nextCursor = page.nextCursor || null;
      more.hidden = !nextCursor;
      status.textContent = shown === 0
        ? "No events match this view."
        : `${shown} event${shown === 1 ? "" : "s"} shown${nextCursor ? "; more load as you scroll" : ""}.`;
    } catch (error) {
      if (mine === generation) status.textContent = "The timeline could not be loaded: " + error.message;
    } finally {
      loading = false;
      document.body.dataset.paging = "idle";
    }
  }

  // ---- filters, facets and downloads -----------------------------------------------------------------------
  async function loadCategories() {
    if (categoriesLoaded) return;
    const categories = await getJson("/categories");
    const select = $("f-category");
    for (const category of categories.items) select.append(el("option", { value: category.id, text: `${category.id} (${category.eventCount})`, title: category.description }));
    categoriesLoaded = true;
  }

  function fillForm(state) {
    for (const name of FILTERS) {
      if (form.elements[name]) form.elements[name].value = state[name] || "";
    }
  }

  async function loadFacets(mine, state) {
    const query = filterQuery(state);
    for (const facet of ["category", "year", "entity", "tag"]) query.append("facet", facet);
    query.set("facetLimit", String(FACET_VALUES)); // the most frequent values only, however large the store

    const container = $("facets");
    try {
      const answer = await getJson("/events/facets?" + query);
      if (mine !== generation) return;
      container.replaceChildren();
      const labels = { category: "Categories", year: "Years", entity: "Entities", tag: "Tags" };
      for (const [name, values] of Object.entries(answer.facets)) {
        if (!values.length) continue;
        const list = el("ul");
        // Years read best in order; the other facets come most frequent first, as the API gives them.
        const ordered = name === "year" ? [...values].sort((a, b) => a.value.localeCompare(b.value)) : values;
        for (const value of ordered) {
          const target = filtersOnly(state);
          if (name === "year") { target.from = value.value; target.to = value.value; }
          else if (value.selected) delete target[name];
          else target[name] = value.value;
          const pressed = name === "year" ? state.from === value.value && state.to === value.value : value.selected;
          const button = el("button", { type: "button", "aria-pressed": pressed ? "true" : "false" }, value.label);
          button.addEventListener("click", () => navigate(target));
          list.append(el("li", {}, button, el("span", { className: "facet-count", text: String(value.count), "aria-label": `${value.count} events` })));
        }
        container.append(el("div", { className: "facet-group" }, el("h3", { text: labels[name] || name }), list));
        if (name === "tag") {
          const tags = $("tag-suggestions");
          tags.replaceChildren(...values.map((v) => el("option", { value: v.value })));
        }
      }
    } catch (error) {
      if (mine === generation) container.textContent = "Counts unavailable: " + error.message;
    }
  }

  function updateDownloads(state) {
    const query = filterQuery(state).toString();
    for (const a of document.querySelectorAll("#downloads a")) {
      const base = a.getAttribute("href").split("?")[0];
      a.href = base + (query ? "?" + query : "");
    }
  }

  let suggestTimer = 0;
  $("f-entity").addEventListener("input", (event) => {
    clearTimeout(suggestTimer);
    const text = event.target.value.trim();
    if (text.length < 2) return;
    suggestTimer = setTimeout(async () => {
      try {
        const answer = await getJson("/entities?q=" + encodeURIComponent(text));
        $("entity-suggestions").replaceChildren(...answer.items.map((e) => el("option", { value: e.id, label: `${e.name} (${e.kind})`, text: `${e.name} (${e.kind})` })));
      } catch {
        // No suggestions for text the API refuses; the filter itself says what is wrong when applied.
      }
    }, 200);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const state = {};
    const previous = currentState();
    for (const name of FILTERS) {
      const value = form.elements[name] ? form.elements[name].value.trim() : previous[name];
      if (value) state[name] = value;
    }
    navigate(state);
  });
  form.elements.category.addEventListener("change", () => form.requestSubmit());
  $("clear").addEventListener("click", () => navigate({}));
  more.addEventListener("click", () => loadPage(generation, currentState()));
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !more.hidden && !loading) loadPage(generation, currentState());
    }, { rootMargin: "400px" }).observe(more);
  }

  // ---- the source viewer -----------------------------------------------------------------------------------
  async function showSource(state) {
    const mine = generation;
    const [source, citing] = await Promise.all([
      getJson("/sources/" + encodeURIComponent(state.open)),
      getJson("/sources/" + encodeURIComponent(state.open) + "/events?limit=50").catch(() => ({ items: [] })),
    ]);
    if (mine !== generation) return;
    $("source-title").textContent = source.title;

    // What a reader must know before trusting the text comes first.
    const warnings = $("source-warnings");
    warnings.replaceChildren();
    const notes = source.notes || [];
    if (notes.some((n) => /artificial intelligence|AI-generated|generated in part/i.test(n))) {
      warnings.append(el("p", { className: "warning", role: "note", text: "This source says it was generated in part using artificial intelligence and may contain errors. Check its claims against other sources." }));
    }

    const meta = $("source-meta");
    meta.replaceChildren();
    const rows = [["Publisher", source.publisher], ["Author", source.author], ["Published", source.publishedDate ? formatDate(source.publishedDate) : "not given"], ["Address", source.url], ["SHA-256 of the text", source.sha256]];
    for (const [name, value] of rows) {
      if (!value) continue;
      const dd = el("dd");
      if (name === "Address") dd.append(el("a", { href: value, rel: "noreferrer noopener", text: value }));
      else dd.textContent = value;
      meta.append(el("dt", { text: name }), dd);
    }
    $("source-notes").replaceChildren(...notes.map((n) => el("li", { text: n })));

    // The stored text, with the quoted passage highlighted by its offsets (counted in Unicode code points).
    const text = $("source-text");
    const characters = Array.from(source.text || "");
    const start = Number(state.start);
    const end = Number(state.end);
    text.replaceChildren();
    let mark = null;
    if (Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= characters.length) {
      mark = el("mark", { id: "quoted", text: characters.slice(start, end).join("") });
      text.append(characters.slice(0, start).join(""), mark, characters.slice(end).join(""));
    } else {
      text.append(characters.join(""));
    }

    $("source-events").replaceChildren(...citing.items.map((e) => el("li", {},
      el("time", { dateTime: e.date, text: formatDate(e.date) }), " ", e.title)));
    $("source-events").append(el("li", {}, link({ source: state.open }, "Show these events on the timeline", { "data-source-filter": state.open })));

    if (!viewer.open) viewer.showModal();
    if (mark) {
      // The quoted words in the middle of the text box, and the text box just under the viewer's sticky top (the
      // source's title and warnings stay in sight).
      text.scrollTop = Math.max(0, mark.offsetTop - text.clientHeight / 2);
      viewer.scrollTop = Math.max(0, text.offsetTop - $("viewer-top").offsetHeight - 8);
    } else {
      viewer.scrollTop = 0;
    }
  }

  function closeViewer() {
    const state = currentState();
    delete state.open;
    delete state.start;
    delete state.end;
    navigate(state);
  }
  $("close-viewer").addEventListener("click", closeViewer);
  viewer.addEventListener("cancel", (event) => { event.preventDefault(); closeViewer(); });

  // ---- putting a view on the page --------------------------------------------------------------------------
  let shownFilters = null;

  async function render() {
    const state = currentState();
    const filters = filterQuery(state).toString();
    document.body.dataset.state = "loading";
    const mine = ++generation;
    fillForm(state);
    updateDownloads(state);
    try {
      await loadCategories();
      fillForm(state);
    } catch (error) {
      status.textContent = "The categories could not be loaded: " + error.message;
    }

    const work = [];
    if (filters !== shownFilters || timeline.childElementCount === 0) {
      shownFilters = filters;
      timeline.replaceChildren();
      nextCursor = null;
      lastYear = null;
      shown = 0;
      loading = false;
      status.textContent = "Loading the timeline…";
      work.push(loadPage(mine, state), loadFacets(mine, state));
    }

    if (state.open) {
      work.push(showSource(state).catch((error) => {
        status.textContent = "The source could not be opened: " + error.message;
      }));
    } else if (viewer.open) {
      viewer.close();
    }

    await Promise.all(work);
    if (mine === generation) document.body.dataset.state = "ready";
  }

  window.addEventListener("popstate", render);
  render();
})();
