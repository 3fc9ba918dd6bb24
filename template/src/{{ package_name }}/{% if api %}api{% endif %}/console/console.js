// The web console: sign in, submit a job from a form built from the input schema, watch it
// run, read its results. Agent output is untrusted text: it only reaches the page as text
// nodes, as SVG attributes this code sets, or as Markdown HTML cleaned by DOMPurify.
"use strict";

(() => {
  const POLL_MS = 1000;
  const PAGE_SIZE = 10;
  const CHART_TYPES = ["pie", "donut", "bar", "horizontalBar"];
  const PALETTE = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0969da", "#57606a"];
  const SVG = "http://www.w3.org/2000/svg";
  const TOKEN_KEY = "console.token";
  const PKCE_KEY = "console.pkce";

  let config = null; // /console/config.json: issuer, audience, client_id, development
  let project = null; // project.json: the plan's rules and the first example input
  let schema = null; // the job input's JSON schema, from the OpenAPI document
  let token = sessionStorage.getItem(TOKEN_KEY);
  let form = null; // {get(), fields: Map(path -> {input, error})}
  let pollTimer = null;
  let stream = null; // the AbortController of the job stream being read
  let cursors = [null]; // the job list's pages: the cursor of each page shown so far
  let shownResults = null; // the results on the job view, as JSON
  let visits = 0; // pages shown so far: a poll or stream of an earlier visit stops

  // ---------------------------------------------------------------------------------------
  // Elements

  const $ = (id) => document.getElementById(id);

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function svg(tag, attributes = {}, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    for (const child of children) node.append(child);
    return node;
  }

  function notice(message) {
    $("notice").textContent = message || "";
    $("notice").hidden = !message;
  }

  function show(sectionId) {
    for (const id of ["sign-in", "new-job", "jobs", "job"]) $(id).hidden = id !== sectionId;
    const signedIn = Boolean(token) && sectionId !== "sign-in";
    $("nav").hidden = !signedIn;
    $("who").hidden = !signedIn;
    for (const link of $("nav").querySelectorAll("a")) {
      // A job's page is neither the form nor the list.
      const current = (location.hash || "#/new") === link.getAttribute("href");
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    $(sectionId).querySelector("h1").focus();
  }

  // ---------------------------------------------------------------------------------------
  // Tokens and sign-in

  function claims(jwt) {
    try {
      const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  const isJwt = (value) => typeof value === "string" && value.split(".").length === 3;

  function setToken(value) {
    token = value;
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
    const who = value ? claims(value) : null;
    $("who-name").textContent = who ? `Signed in as ${who.email || who.sub}` : "";
  }

  function signOut(message) {
    setToken(null);
    cursors = [null];
    notice(message);
    history.replaceState(null, "", "/#/new");
    route().catch(report);
  }

  function base64url(bytes) {
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomText(size) {
    return base64url(crypto.getRandomValues(new Uint8Array(size)));
  }

  const redirectUri = () => `${location.origin}/`;

  async function provider() {
    const url = `${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const response = await reach(url);
    const endpoints = await response.json().catch(() => null);
    if (!response.ok || !endpoints) throw new Error(`the identity provider's ${url} answered ${response.status}`);
    return endpoints;
  }

  async function startSignIn() {
    const endpoints = await provider();
    const verifier = randomText(32);
    const state = randomText(16);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, back: location.hash }));
    const parameters = {
      response_type: "code",
      client_id: config.client_id,
      redirect_uri: redirectUri(),
      scope: "openid",
      state,
      code_challenge: base64url(new Uint8Array(digest)),
      code_challenge_method: "S256",
    };
    // Auth0 issues a JWT access token for an API only when asked for its audience.
    if (config.audience && config.audience !== config.client_id) parameters.audience = config.audience;
    const url = new URL(endpoints.authorization_endpoint);
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    location.assign(url.toString());
  }

  async function finishSignIn(answer) {
    const started = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
    sessionStorage.removeItem(PKCE_KEY);
    history.replaceState(null, "", `/${started ? started.back : ""}`);
    if (answer.get("error")) {
      throw new Error(`the identity provider refused: ${answer.get("error_description") || answer.get("error")}`);
    }
    if (!started || started.state !== answer.get("state")) {
      throw new Error("this sign-in answer is not for the sign-in this page started: sign in again");
    }
    const endpoints = await provider();
    const response = await reach(endpoints.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: answer.get("code"),
        redirect_uri: redirectUri(),
        client_id: config.client_id,
        code_verifier: started.verifier,
      }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`the identity provider refused the code: ${body.error_description || body.error || response.status}`);
    }
    // The API takes the access token when it is a JWT (Cognito, Auth0), else the ID token (Clerk).
    const bearer = isJwt(body.access_token) ? body.access_token : body.id_token;
    if (!isJwt(bearer)) throw new Error("the identity provider returned no JWT");
    setToken(bearer);
  }

  async function developmentSignIn(event) {
    event.preventDefault();
    const input = $("user-name");
    let refusal = null;
    let body = null;
    try {
      const response = await reach(`${new URL(config.issuer).pathname}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: input.value }),
      });
      body = await response.json().catch(() => null);
      if (!response.ok) {
        const problem = problemOf(response, body);
        refusal = problem.errors.length ? problem.errors[0].message : problem.detail;
      } else if (!body || !isJwt(body.access_token)) {
        refusal = "the development issuer answered no token";
      }
    } catch (error) {
      refusal = error.message;
    }
    if (refusal) {
      $("user-name-error").textContent = refusal;
      $("user-name-error").hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "user-name-error");
      input.focus();
      return;
    }
    $("user-name-error").hidden = true;
    input.removeAttribute("aria-invalid");
    setToken(body.access_token);
    notice("");
    route().catch(report);
  }

  function showSignIn() {
    $("dev-sign-in").hidden = !config.development;
    $("oidc-sign-in").hidden = config.development || !config.client_id;
    $("no-client").hidden = config.development || Boolean(config.client_id);
    $("issuer-name").textContent = config.issuer;
    show("sign-in");
    if (config.development) $("user-name").focus();
  }

  // ---------------------------------------------------------------------------------------
  // The API

  class SignedOut extends Error {}

  // fetch(), with a network failure (the API down, the connection lost) as one clear error.
  async function reach(path, options) {
    try {
      return await fetch(path, options);
    } catch {
      throw new Error(`could not reach ${new URL(path, location.href).origin}`);
    }
  }

  async function api(path, options = {}) {
    const headers = { ...(options.headers || {}), Authorization: `Bearer ${token}` };
    const response = await reach(path, { ...options, headers });
    if (response.status === 401) {
      signOut("Your sign-in was refused or has expired: sign in again.");
      throw new SignedOut();
    }
    const body = await response.json().catch(() => null);
    return { response, body };
  }

  const isText = (value) => typeof value === "string" && value.trim() !== "";

  // The API's problem (RFC 9457) as {detail, errors}; any other answer (a gateway's
  // {"message": ...}, an HTML error page, no body) as a detail naming its status.
  function problemOf(response, body) {
    if (body && isText(body.detail)) {
      const errors = Array.isArray(body.errors) ? body.errors.filter((error) => error && isText(error.message)) : [];
      return { detail: body.detail, errors: errors.map((error) => ({ field: String(error.field ?? ""), message: error.message })) };
    }
    const said = body && isText(body.message) ? `: ${body.message}` : "";
    return { detail: `the API answered ${response.status}${said}`, errors: [] };
  }

  const problemText = (response, body) => problemOf(response, body).detail;

  // A job's view as the API answers it (anything else is a broken answer, not a job).
  const isJobView = (body) =>
    Boolean(body) && isText(body.job_id) && isText(body.status) && Array.isArray(body.steps) &&
    Boolean(body.results) && typeof body.results === "object";

  // ---------------------------------------------------------------------------------------
  // The job form, built from the input's JSON schema

  function resolve(node) {
    let resolved = node || {};
    while (resolved.$ref) {
      const name = resolved.$ref.split("/").pop();
      resolved = { ...(schema.$defs || {})[name], ...resolved, $ref: undefined };
    }
    const options = resolved.anyOf || resolved.oneOf;
    if (options) {
      const [first] = options.filter((option) => option.type !== "null");
      const nullable = options.some((option) => option.type === "null");
      const { anyOf, oneOf, ...rest } = resolved;
      return { ...resolve(first), ...rest, nullable };
    }
    return resolved;
  }

  const labelOf = (name, node) => node.title || name.replace(/_/g, " ");
  let fieldCount = 0;

  function fieldShell(path, label, node, required, control) {
    const id = `f${++fieldCount}`;
    control.id = id;
    const hint = node.description ? el("p", { class: "hint", id: `${id}-hint`, text: node.description }) : null;
    const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
    control.setAttribute("aria-describedby", [hint && hint.id, error.id].filter(Boolean).join(" "));
    if (required) control.setAttribute("aria-required", "true");
    const text = el("label", { for: id }, label, required ? el("span", { class: "required", text: " (required)" }) : null);
    form.fields.set(path, { input: control, error });
    return el("div", { class: "field" }, text, hint, control, error);
  }

  function leafField(path, name, node, required, value) {
    const label = labelOf(name, node);
    if (node.enum) {
      const select = el("select", { name: path });
      if (!required || value === undefined) select.append(el("option", { value: "", text: "(none)" }));
      node.enum.forEach((option, index) => {
        select.append(el("option", { value: String(index), text: String(option), selected: option === value }));
      });
      const get = () => (select.value === "" ? undefined : node.enum[Number(select.value)]);
      return { node: fieldShell(path, label, node, required, select), get };
    }
    if (node.type === "boolean") {
      const box = el("input", { type: "checkbox", name: path, checked: value === true });
      const shell = fieldShell(path, label, node, false, box);
      shell.classList.add("checkbox");
      return { node: shell, get: () => box.checked };
    }
    const numeric = node.type === "number" || node.type === "integer";
    const long = node.type === "string" && (node.maxLength || 0) > 200;
    const input = long ? el("textarea", { name: path, rows: 4 }) : el("input", { name: path, type: "text" });
    if (numeric) input.setAttribute("inputmode", node.type === "integer" ? "numeric" : "decimal");
    if (value !== undefined && value !== null) input.value = typeof value === "string" ? value : JSON.stringify(value);
    const get = () => {
      const text = input.value;
      if (text.trim() === "") return node.nullable && required ? null : undefined;
      if (!numeric) return text;
      // Text that is not a number goes as typed: the API names the field it does not fit.
      return /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : text;
    };
    return { node: fieldShell(path, label, node, required, input), get };
  }

  function groupShell(path, label, node) {
    const error = el("p", { class: "field-error", id: `g${++fieldCount}-error`, hidden: true });
    const legend = el("legend", { text: label });
    const fieldset = el("fieldset", { "aria-describedby": error.id }, legend);
    if (node.description) fieldset.append(el("p", { class: "hint", text: node.description }));
    fieldset.append(error);
    form.fields.set(path, { input: fieldset, error });
    return fieldset;
  }

  function objectField(path, name, node, value) {
    const given = value && typeof value === "object" ? value : {};
    const required = new Set(node.required || []);
    const fieldset = path === "input" ? el("div", { class: "root" }) : groupShell(path, labelOf(name, node), node);
    if (path === "input" && !Object.keys(node.properties || {}).length) {
      fieldset.append(el("p", { text: "This job takes no input." }));
    }
    const parts = Object.entries(node.properties || {}).map(([key, child]) => {
      const part = field(`${path}.${key}`, key, child, required.has(key), given[key]);
      fieldset.append(part.node);
      return [key, part];
    });
    const get = () => {
      const result = {};
      for (const [key, part] of parts) {
        const item = part.get();
        if (item !== undefined) result[key] = item;
      }
      return result;
    };
    return { node: fieldset, get };
  }

  function arrayField(path, name, node, value) {
    // Items are labelled "<list> <n>", not by their class name in the schema.
    const itemSchema = { ...resolve(node.items), title: undefined };
    const label = labelOf(name, node);
    const fieldset = groupShell(path, label, node);
    const list = el("ol", { class: "items" });
    const add = el("button", { type: "button", class: "secondary", text: `Add to ${label}` });
    fieldset.append(list, add);
    let parts = [];

    // The items as they stand, to draw the list again; null, with the summary naming it, while
    // one of them holds text that is not JSON (drawing it again would lose that text).
    const current = () => {
      try {
        return parts.map((p) => p.get());
      } catch (error) {
        if (!(error instanceof NotJson)) throw error;
        showErrors({ detail: error.message, errors: [{ field: error.path, message: error.message }] }, "The list was not changed:");
        return null;
      }
    };
    const render = (values) => {
      for (const key of [...form.fields.keys()]) if (key.startsWith(`${path}[`)) form.fields.delete(key);
      list.replaceChildren();
      parts = values.map((item, index) => {
        const part = field(`${path}[${index}]`, `${label} ${index + 1}`, itemSchema, true, item);
        const remove = el("button", {
          type: "button",
          class: "secondary",
          text: `Remove ${label} ${index + 1}`,
          onclick: () => {
            const kept = current();
            if (!kept) return;
            kept.splice(index, 1);
            render(kept);
            add.focus();
          },
        });
        list.append(el("li", {}, part.node, remove));
        return part;
      });
    };
    add.addEventListener("click", () => {
      const blank = itemSchema.type === "object" ? {} : itemSchema.default;
      const kept = current();
      if (!kept) return;
      render([...kept, blank]);
      const inputs = list.lastElementChild.querySelectorAll("input, select, textarea");
      if (inputs.length) inputs[0].focus();
    });
    render(Array.isArray(value) ? value : []);
    // A blank item goes as null, for the API to name it, never dropped from the list unseen.
    return { node: fieldset, get: () => parts.map((p) => p.get() ?? null) };
  }

  class NotJson extends Error {
    constructor(path, message) {
      super(message);
      this.path = path;
    }
  }

  // An object that takes fields of its own (agents.yaml without `inputs`, or a free-form
  // object) or a value of any type: edited as JSON text.
  function jsonField(path, name, node, required, value) {
    const text = el("textarea", { name: path, rows: 8, spellcheck: "false", class: "json" });
    if (value !== undefined) text.value = JSON.stringify(value, null, 2);
    const get = () => {
      if (text.value.trim() === "") {
        // The whole input cannot be left out: there would be no body to send.
        if (path === "input") throw new NotJson(path, "empty: write the job's input as a JSON object, e.g. {}");
        return undefined;
      }
      try {
        return JSON.parse(text.value);
      } catch (error) {
        throw new NotJson(path, `not valid JSON: ${error.message}`);
      }
    };
    return { node: fieldShell(path, `${labelOf(name, node)} (JSON)`, node, required, text), get };
  }

  function field(path, name, raw, required, value) {
    const node = resolve(raw);
    const start = value !== undefined ? value : node.default;
    const closed = node.additionalProperties === false;
    if (node.type === "object" && closed) return objectField(path, name, node, start);
    if (node.type === "array") return arrayField(path, name, node, start);
    if (node.type === "object" || (!node.type && !node.enum)) return jsonField(path, name, node, required, start);
    return leafField(path, name, node, required, start);
  }

  function buildForm() {
    form = { fields: new Map(), get: null };
    fieldCount = 0;
    const root = field("input", "input", { ...schema, title: "Job input" }, true, project.example);
    form.get = root.get;
    $("fields").replaceChildren(root.node);
    clearErrors();
  }

  function clearErrors() {
    for (const { input, error } of form.fields.values()) {
      error.hidden = true;
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
    $("form-errors").hidden = true;
    $("form-errors").replaceChildren();
  }

  function showErrors(problem, heading = "The job was not accepted:") {
    clearErrors();
    const errors = problem.errors.length ? problem.errors : [{ field: "", message: problem.detail }];
    const list = el("ul");
    let first = null;
    for (const { field: path, message } of errors) {
      const target = form.fields.get(path);
      if (target) {
        target.error.textContent = message;
        target.error.hidden = false;
        target.input.setAttribute("aria-invalid", "true");
        // A group's error leads to its first control (a fieldset takes no focus).
        const control = target.input.matches("input, select, textarea") ? target.input : target.input.querySelector("input, select, textarea, button");
        first = first || control;
        const text = `${path.replace(/^input\./, "")}: ${message}`;
        const link = control && el("a", { href: `#${control.id}`, text, onclick: (event) => { event.preventDefault(); control.focus(); } });
        list.append(el("li", link ? {} : { text }, link));
      } else {
        list.append(el("li", { text: path ? `${path}: ${message}` : message }));
      }
    }
    $("form-errors").replaceChildren(el("p", { text: heading }), list);
    $("form-errors").hidden = false;
    (first || $("form-errors")).focus();
  }

  async function submitJob(event) {
    event.preventDefault();
    const button = $("submit-job");
    button.disabled = true;
    try {
      let input;
      try {
        input = form.get();
      } catch (error) {
        if (!(error instanceof NotJson)) throw error;
        return showErrors({ detail: error.message, errors: [{ field: error.path, message: error.message }] });
      }
      const { response, body } = await api("/jobs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(input),
      });
      if (response.ok && body && isText(body.job_id)) {
        location.hash = `#/jobs/${encodeURIComponent(body.job_id)}`;
        return;
      }
      showErrors(response.ok ? { detail: `the API answered ${response.status} without a job id`, errors: [] } : problemOf(response, body));
    } catch (error) {
      if (!(error instanceof SignedOut)) showErrors({ detail: error.message, errors: [] }, "The job could not be sent:");
    } finally {
      button.disabled = false;
    }
  }

  function showNew() {
    if (!form) buildForm();
    show("new-job");
  }

  // ---------------------------------------------------------------------------------------
  // The job list

  async function jobsPage(cursor) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    const { response, body } = await api(`/jobs?${query}`);
    if (!response.ok) throw new Error(problemText(response, body));
    if (!body || !Array.isArray(body.jobs) || !body.jobs.every(isJobView)) {
      throw new Error(`the API answered ${response.status} without a list of jobs`);
    }
    return body;
  }

  // One page of the list; its buttons wait for it, so that a double click turns one page.
  async function showJobs() {
    show("jobs");
    const buttons = [$("jobs-newer"), $("jobs-older")];
    for (const button of buttons) button.disabled = true;
    let page;
    try {
      page = await jobsPage(cursors[cursors.length - 1]);
    } catch (error) {
      if (error instanceof SignedOut) return;
      for (const id of ["jobs-table", "jobs-empty", "jobs-newer", "jobs-older"]) $(id).hidden = true;
      return notice(`Your jobs could not be listed: ${error.message}`);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
    const rows = page.jobs.map((job) => {
      const results = Object.values(job.results);
      const done = results.filter((result) => result.status === "ok").length;
      return el(
        "tr",
        {},
        el("td", {}, el("a", { href: `#/jobs/${encodeURIComponent(job.job_id)}` }, el("code", { text: job.job_id }))),
        el("td", {}, statusBadge(job.status)),
        el("td", { text: `${done} of ${results.length}` }),
      );
    });
    $("jobs-table").querySelector("tbody").replaceChildren(...rows);
    $("jobs-table").hidden = rows.length === 0;
    $("jobs-empty").hidden = rows.length > 0 || cursors.length > 1;
    $("jobs-newer").hidden = cursors.length === 1;
    $("jobs-older").hidden = !page.next_cursor;
    $("jobs-older").onclick = () => {
      cursors.push(page.next_cursor);
      showJobs().catch(report);
    };
    $("jobs-newer").onclick = () => {
      cursors.pop();
      showJobs().catch(report);
    };
  }

  // ---------------------------------------------------------------------------------------
  // The job view

  const STATUS_TEXT = { ok: "done", error: "failed", running: "running", waiting: "not reached" };

  function statusBadge(status) {
    return el("span", { class: `status status-${status}`, text: status });
  }

  function agentStates(job) {
    const states = new Map();
    for (const step of job.steps) for (const agent of step.agents) states.set(agent, "running");
    for (const [agent, result] of Object.entries(job.results)) states.set(agent, result.status);
    return states;
  }

  function stepList(steps, reached, states) {
    return el(
      "ol",
      { class: "steps" },
      ...steps.map((step) => {
        const chips = step.agents.map((agent) => {
          const state = reached.has(agent) ? states.get(agent) || "running" : "waiting";
          return el("li", { class: `chip chip-${state}` }, agent, el("span", { class: "chip-state", text: ` ${STATUS_TEXT[state]}` }));
        });
        const anyReached = step.agents.some((agent) => reached.has(agent));
        return el(
          "li",
          { class: `step${anyReached ? " reached" : ""}` },
          el("span", { class: "step-kind", text: step.parallel ? "in parallel" : "in sequence" }),
          el("ul", { class: "chips" }, ...chips),
        );
      }),
    );
  }

  function renderPlan(job) {
    const states = agentStates(job);
    const rules = project.planner || project.rules.length === 0
      ? [{ name: "planner", condition: "chosen by the orchestrator", steps: job.steps, otherwise: [] }]
      : project.rules;
    const items = rules.map((rule) => {
      const reached = new Set(job.steps.filter((step) => project.planner || step.rule === rule.name).flatMap((step) => step.agents));
      const item = el(
        "li",
        { class: `rule${reached.size ? " reached" : ""}` },
        el("p", { class: "rule-name" }, el("strong", { text: rule.name }), ` when ${rule.condition}`),
        stepList(rule.steps, reached, states),
      );
      if (rule.otherwise.length) item.append(el("p", { class: "otherwise", text: "otherwise" }), stepList(rule.otherwise, reached, states));
      return item;
    });
    $("plan").replaceChildren(...items);
  }

  function renderAgents(job) {
    const states = agentStates(job);
    const rows = [...states.keys()].map((agent) => {
      const result = job.results[agent];
      return el(
        "tr",
        {},
        el("th", { scope: "row", text: agent }),
        el("td", {}, statusBadge(result ? result.status : "running")),
        el("td", { text: result ? `${(result.duration_ms / 1000).toFixed(1)} s` : "" }),
        el("td", { text: result ? String(result.attempts) : "" }),
        el("td", { text: result ? String(result.tokens) : "" }),
      );
    });
    $("agents").querySelector("tbody").replaceChildren(...rows);
  }

  // Redrawn only when they change: a poll every second must not fold what the reader
  // unfolded, or take the focus from a link in a report.
  function renderResults(job) {
    const results = JSON.stringify(job.results);
    if (results === shownResults) return;
    shownResults = results;
    const sections = Object.entries(job.results).map(([agent, result]) => {
      const section = el("section", { class: "result", "aria-label": `${agent} result` }, el("h3", {}, agent, el("span", { class: "key", text: ` (${result.key})` })));
      if (result.error) section.append(el("p", { class: "field-error", text: result.error }));
      if (result.output) section.append(...renderOutput(result.output));
      return section;
    });
    $("results").replaceChildren(...sections);
  }

  // The status line: the job's status, or what keeps the page from showing one.
  function setStatus(text) {
    const status = $("job-status");
    if (status.textContent === text) return;
    status.textContent = text;
    status.className = `status status-${text.replace(/\W+/g, "-")}`;
  }

  function showJobView(job) {
    $("job-id").textContent = job.job_id;
    setStatus(job.status);
    $("job-error").textContent = job.error || "";
    $("job-error").hidden = !job.error;
    renderPlan(job);
    renderAgents(job);
    renderResults(job);
  }

  const jobPath = (jobId) => `/jobs/${encodeURIComponent(jobId)}`;

  // Follows the job through `/jobs/{id}/events` (server-sent events) where the server streams
  // (`make serve`); false when it cannot, for the caller to poll instead.
  async function streamJob(jobId, left) {
    stream = new AbortController();
    const { signal } = stream;
    let response;
    try {
      response = await fetch(`${jobPath(jobId)}/events`, { headers: { Authorization: `Bearer ${token}` }, signal });
    } catch {
      return signal.aborted;
    }
    if (response.status === 401) {
      signOut("Your sign-in was refused or has expired: sign in again.");
      return true;
    }
    if (response.status === 404) {
      setStatus("not found");
      notice(problemText(response, await response.json().catch(() => null)));
      return true;
    }
    if (!response.ok || !response.body) return false;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let job = null;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (left()) return true;
        // A stream that ends before its job did (the server stopped) leaves it to polling.
        if (done) return job !== null && !["pending", "running"].includes(job.status);
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const data = buffer.slice(0, end).split("\n").filter((line) => line.startsWith("data:"));
          buffer = buffer.slice(end + 2);
          if (!data.length) continue;
          const view = JSON.parse(data.map((line) => line.slice(5)).join("\n"));
          if (!isJobView(view)) throw new Error("the stream sent something other than a job");
          job = view;
          showJobView(job);
        }
      }
    } catch {
      // Aborted by leaving the page, or the stream broke: polling picks up from here.
      return signal.aborted;
    }
  }

  async function showJob(jobId) {
    show("job");
    $("job-id").textContent = jobId;
    for (const id of ["plan", "results"]) $(id).replaceChildren();
    shownResults = null;
    $("agents").querySelector("tbody").replaceChildren();
    $("job-error").hidden = true;
    setStatus("loading");
    // The one id encodeURIComponent cannot carry: a URL resolves "." and ".." away.
    if (["", ".", ".."].includes(jobId)) {
      setStatus("not found");
      return notice("This address names no job: pick one in Your jobs.");
    }
    // Left when the page shows anything else, this job again included (its own poll then).
    const visit = visits;
    const left = () => visits !== visit;
    const later = (ms) => {
      pollTimer = setTimeout(() => poll().catch(report), ms);
    };
    const poll = async () => {
      let answer;
      try {
        answer = await api(jobPath(jobId));
      } catch (error) {
        if (error instanceof SignedOut || left()) return;
        notice(`The job could not be read (${error.message}); trying again.`);
        return later(POLL_MS * 5);
      }
      if (left()) return;
      const { response, body } = answer;
      // A server error or a gateway's throttling (429) passes: ask again a little later.
      if (response.status >= 500 || response.status === 429) {
        notice(`The job could not be read (${problemText(response, body)}); trying again.`);
        return later(POLL_MS * 5);
      }
      if (!response.ok || !isJobView(body)) {
        setStatus(response.status === 404 ? "not found" : "unavailable");
        return notice(response.ok ? `the API answered ${response.status} without a job` : problemText(response, body));
      }
      notice("");
      showJobView(body);
      if (body.status === "pending" || body.status === "running") later(POLL_MS);
    };
    if (config.stream && (await streamJob(jobId, left))) return;
    await poll();
  }

  // ---------------------------------------------------------------------------------------
  // Results: Markdown, charts, JSON trees

  const isChart = (value) =>
    value !== null && typeof value === "object" && CHART_TYPES.includes(value.type) && Array.isArray(value.data);

  function renderOutput(output) {
    const blocks = [];
    const rest = {};
    for (const [key, value] of Object.entries(output)) {
      if (Array.isArray(value) && value.length && value.every(isChart)) {
        blocks.push(el("div", { class: "charts" }, ...value.map(chart)));
      } else if (isChart(value)) {
        blocks.push(el("div", { class: "charts" }, chart(value)));
      } else if (typeof value === "string" && (value.includes("\n") || value.length > 160)) {
        blocks.push(markdown(value));
      } else {
        rest[key] = value;
      }
    }
    if (Object.keys(rest).length) blocks.push(tree(rest));
    return blocks;
  }

  // An agent's Markdown is rendered without its raw HTML, which shows as the text it is: no
  // tag or attribute an agent writes reaches the page (the page's CSP would refuse an inline
  // handler or style, but report it). Task-list boxes show as [x] and [ ], not as controls.
  // DOMPurify then removes what Markdown itself can carry: unsafe link targets, and ids that
  // could clash with the page's. Images show only when inline (data:); any other is never
  // fetched, its alt text stands in for it.
  const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  marked.use({
    renderer: {
      html: ({ text }) => escapeHtml(text),
      checkbox: ({ checked }) => (checked ? "[x] " : "[ ] "),
    },
  });
  const PURIFY = { USE_PROFILES: { html: true }, SANITIZE_NAMED_PROPS: true };
  const INLINE_IMAGE = /^data:image\//i;

  DOMPurify.addHook("uponSanitizeAttribute", (node, attribute) => {
    if (node.nodeName === "IMG" && attribute.attrName === "src" && !INLINE_IMAGE.test(attribute.attrValue)) {
      attribute.keepAttr = false;
    }
  });

  function markdown(text) {
    const block = el("div", { class: "markdown" });
    block.innerHTML = DOMPurify.sanitize(marked.parse(text), PURIFY);
    for (const image of block.querySelectorAll("img:not([src])")) image.replaceWith(image.alt ? `[${image.alt}]` : "");
    return block;
  }

  function tree(value, name) {
    if (value === null || typeof value !== "object") {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return el("bdi", { class: `leaf leaf-${value === null ? "null" : typeof value}`, text });
    }
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
    const list = el("ul", { class: "tree" }, ...entries.map(([key, item]) => {
      const nested = item !== null && typeof item === "object";
      return el("li", {}, nested ? tree(item, key) : el("span", {}, el("bdi", { class: "tree-key", text: key }), ": ", tree(item)));
    }));
    if (name === undefined) return el("div", { class: "tree-root" }, list);
    const size = Array.isArray(value) ? `[${value.length}]` : `{${entries.length}}`;
    // Nested values start folded: an agent's JSON can be long.
    return el("details", {}, el("summary", {}, el("bdi", { class: "tree-key", text: name }), ` ${size}`), list);
  }

  function colour(value, index) {
    return typeof value === "string" && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value) ? value : PALETTE[index % PALETTE.length];
  }

  // A data point as text, its name isolated (U+2068..U+2069) so that right-to-left or
  // override characters in it cannot reorder the value after it.
  const pointText = (item) => `\u2068${item.name}\u2069: ${item.value}`;

  function chart(spec) {
    const title = String(spec.title || spec.key || "Chart");
    const data = spec.data
      .filter((item) => item && typeof item.value === "number" && Number.isFinite(item.value) && item.value >= 0)
      .map((item, index) => ({ name: String(item.name ?? ""), value: item.value, fill: colour(item.color, index) }));
    const drawing = spec.type === "pie" || spec.type === "donut" ? pie(data, spec.type === "donut") : bars(data, spec.type === "horizontalBar");
    drawing.setAttribute("role", "img");
    drawing.setAttribute("aria-label", `\u2068${title}\u2069: ${data.map(pointText).join(", ")}`);
    const legend = el("ul", { class: "legend" }, ...data.map((item) => {
      const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.background = item.fill;
      return el("li", {}, swatch, el("bdi", { text: item.name }), `: ${item.value.toLocaleString()}`);
    }));
    return el("figure", { class: `chart chart-${spec.type}`, "data-chart": spec.key || title }, el("figcaption", { text: title }), drawing, legend);
  }

  function pie(data, donut) {
    const total = data.reduce((sum, item) => sum + item.value, 0);
    const drawing = svg("svg", { viewBox: "0 0 200 200", class: "chart-drawing" });
    if (total <= 0) return drawing;
    const [cx, cy, outer, inner] = [100, 100, 95, donut ? 55 : 0];
    const point = (radius, angle) => [cx + radius * Math.sin(angle), cy - radius * Math.cos(angle)];
    let start = 0;
    for (const item of data) {
      const sweep = Math.min((item.value / total) * 2 * Math.PI, 2 * Math.PI - 1e-4);
      const end = start + sweep;
      const large = sweep > Math.PI ? 1 : 0;
      const [x1, y1] = point(outer, start);
      const [x2, y2] = point(outer, end);
      let d = `M ${x1} ${y1} A ${outer} ${outer} 0 ${large} 1 ${x2} ${y2}`;
      if (inner) {
        const [x3, y3] = point(inner, end);
        const [x4, y4] = point(inner, start);
        d += ` L ${x3} ${y3} A ${inner} ${inner} 0 ${large} 0 ${x4} ${y4} Z`;
      } else {
        d += ` L ${cx} ${cy} Z`;
      }
      if (item.value > 0) drawing.append(svg("path", { d, fill: item.fill, class: "mark" }, svg("title", {}, pointText(item))));
      start = end;
    }
    return drawing;
  }

  function bars(data, horizontal) {
    const [width, height, pad] = [320, 200, 4];
    const drawing = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart-drawing" });
    const top = Math.max(...data.map((item) => item.value), 0);
    if (!data.length || top <= 0) return drawing;
    const band = (horizontal ? height : width) / data.length;
    data.forEach((item, index) => {
      const size = (item.value / top) * ((horizontal ? width : height) - pad);
      const attributes = horizontal
        ? { x: 0, y: index * band + pad / 2, width: size, height: Math.max(band - pad, 1) }
        : { x: index * band + pad / 2, y: height - size, width: Math.max(band - pad, 1), height: size };
      drawing.append(svg("rect", { ...attributes, fill: item.fill, class: "mark" }, svg("title", {}, pointText(item))));
    });
    return drawing;
  }

  // ---------------------------------------------------------------------------------------
  // Routes: #/new, #/jobs, #/jobs/<id>

  // The id in #/jobs/<id>, as typed when it is not valid percent-encoding.
  function jobIdOf(hash) {
    const text = hash.slice("#/jobs/".length);
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }

  async function route() {
    visits += 1;
    clearTimeout(pollTimer);
    if (stream) stream.abort();
    if (!token) return showSignIn();
    const hash = location.hash || "#/new";
    if (hash.startsWith("#/jobs/")) return showJob(jobIdOf(hash));
    if (hash === "#/jobs") return showJobs();
    return showNew();
  }

  // A JSON document the console needs from its server, or an error naming it.
  async function load(url) {
    const response = await reach(url);
    const body = await response.json().catch(() => null);
    if (!response.ok || body === null) throw new Error(`${url} could not be loaded (the API answered ${response.status})`);
    return body;
  }

  async function loadProject() {
    let openapi;
    [config, project, openapi] = await Promise.all([
      load("/console/config.json"),
      load($("console-script").dataset.project),
      load("/openapi.json"),
    ]);
    schema = openapi.paths?.["/jobs"]?.post?.requestBody?.content?.["application/json"]?.schema;
    if (!schema) throw new Error("/openapi.json describes no job input for POST /jobs");
    $("brand").textContent = openapi.info.title;
    document.title = `${openapi.info.title} console`;
  }

  async function start() {
    try {
      await loadProject();
    } catch (error) {
      return notice(`The console could not start: ${error.message}. Reload the page to try again.`);
    }
    $("dev-sign-in").addEventListener("submit", developmentSignIn);
    $("oidc-start").addEventListener("click", () => startSignIn().catch((error) => notice(`Sign-in failed: ${error.message}`)));
    $("sign-out").addEventListener("click", () => signOut(""));
    $("job-form").addEventListener("submit", submitJob);
    $("reset-job").addEventListener("click", buildForm);
    window.addEventListener("hashchange", () => {
      notice("");
      if (location.hash === "#/jobs") cursors = [null];
      route().catch(report);
    });

    const answer = new URLSearchParams(location.search);
    if (!config.development && (answer.has("code") || answer.has("error"))) {
      try {
        await finishSignIn(answer);
      } catch (error) {
        notice(`Sign-in failed: ${error.message}`);
      }
    }
    const expiry = token ? (claims(token) || {}).exp : undefined;
    if (token && (!expiry || expiry * 1000 < Date.now())) setToken(null);
    else setToken(token);
    await route();
  }

  function report(error) {
    if (!(error instanceof SignedOut)) notice(`Something went wrong: ${error.message}`);
  }

  document.addEventListener("DOMContentLoaded", () => start().catch(report));
})();
