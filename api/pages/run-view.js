// The run view: draws a Studio flow as Studio's canvas does (each widget a box at its
// properties.offset, each transition an arrow to its `next`, labelled with its event) and, on an
// execution's page, the path its steps took. All data comes from this server's Studio v2 JSON API;
// the page polls while the execution is active. Plain JavaScript served as is: no build step.
// The DOM is built with textContent and attributes only (flow JSON is user input: never innerHTML).

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDGET_WIDTH = 220;
const WIDGET_HEIGHT = 64;
const MARGIN = 40;
/** Room below the lowest widget for arrows that loop back up. */
const BOTTOM_ROOM = 120;
const POLL_INTERVAL_MS = 2000;
const LONGEST_SHOWN_NAME = 26;

const route = parseRoute(window.location.pathname);
const view = {
  flow: null,
  definition: null,
  execution: null,
  steps: [],
  /** The run's path as last drawn (runPath). */
  path: null,
  /** What the context panel shows: {kind: 'step' | 'widget' | 'execution', sid, widget} or null. */
  selection: null,
};

function parseRoute(pathname) {
  const match = /^\/flows\/([^/]+)(?:\/executions\/([^/]+))?\/?$/i.exec(pathname);
  if (!match) return null;
  return { flowSid: decodeURIComponent(match[1]), executionSid: match[2] ? decodeURIComponent(match[2]) : null };
}

// ---------------------------------------------------------------------------------------------
// Data

async function api(pathOrUrl) {
  // Resolved against location.origin, not the page URL: a page opened as http://user:token@host/…
  // has credentials in its URL, and fetch refuses a URL that carries credentials.
  const url = new URL(pathOrUrl, window.location.origin);
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const reason = body && body.message ? `${body.message} (error ${body.code})` : `HTTP ${response.status}`;
    throw new Error(`${url.pathname}: ${reason}`);
  }
  return body;
}

const flowPath = (flowSid) => `/v2/Flows/${encodeURIComponent(flowSid)}`;
const executionPath = (flowSid, executionSid) => `${flowPath(flowSid)}/Executions/${encodeURIComponent(executionSid)}`;

/** Every step, oldest first (the API lists them newest first, in pages). */
async function fetchSteps(flowSid, executionSid) {
  const steps = [];
  let next = `${executionPath(flowSid, executionSid)}/Steps?PageSize=1000`;
  while (next) {
    const page = await api(next);
    steps.push(...page.steps);
    next = page.meta && page.meta.next_page_url;
  }
  return steps.reverse();
}

async function loadFlowView() {
  view.flow = await api(flowPath(route.flowSid));
  view.definition = view.flow.definition;
  const executions = await api(`${flowPath(route.flowSid)}/Executions?PageSize=20`);
  renderExecutionsList(executions.executions);
}

async function loadExecutionView() {
  const [flow, execution] = await Promise.all([api(flowPath(route.flowSid)), api(executionPath(route.flowSid, route.executionSid))]);
  view.flow = flow;
  // The execution runs the revision it was pinned to (flow_version), which may not be the flow's latest.
  view.definition =
    execution.flow_version && execution.flow_version !== flow.revision
      ? (await api(`${flowPath(route.flowSid)}/Revisions/${execution.flow_version}`)).definition
      : flow.definition;
  view.execution = execution;
  view.steps = await fetchSteps(route.flowSid, route.executionSid);
}

/** While the run is active only the execution and its steps change (the pinned definition does not). */
async function refreshExecution() {
  // Status first, steps second: once the status says ended, the steps read after it are complete.
  // Both are kept only when both arrived, so a failed read never stops the polling with stale steps.
  const execution = await api(executionPath(route.flowSid, route.executionSid));
  const steps = await fetchSteps(route.flowSid, route.executionSid);
  view.execution = execution;
  view.steps = steps;
}

// ---------------------------------------------------------------------------------------------
// The run's path

const edgeKey = (from, event, to) => JSON.stringify([from, event, to]);

/**
 * Which widgets and transitions the run went through, each with the position of its first visit
 * (1-based, in path order), the widget it waits at now, and the widget it ended from.
 */
function runPath(steps, statesByName, execution) {
  const widgetOrder = new Map();
  const edgeOrder = new Map();
  const visit = (name) => {
    if (statesByName.has(name) && !widgetOrder.has(name)) widgetOrder.set(name, widgetOrder.size + 1);
  };
  // Steps of a subflow (parent_step_sid set) belong to another flow's canvas.
  const ownSteps = steps.filter((step) => !step.parent_step_sid);
  ownSteps.forEach((step, index) => {
    visit(step.transitioned_from);
    const key = edgeKey(step.transitioned_from, step.name, step.transitioned_to);
    if (!edgeOrder.has(key)) edgeOrder.set(key, index + 1);
    if (step.transitioned_to !== 'Ended') visit(step.transitioned_to);
  });
  const last = ownSteps[ownSteps.length - 1];
  const active = execution && execution.status === 'active';
  let current = null;
  if (active) current = last ? (last.transitioned_to !== 'Ended' ? last.transitioned_to : null) : view.definition.initial_state;
  const final = last && last.transitioned_to === 'Ended' ? last.transitioned_from : null;
  return { widgetOrder, edgeOrder, current, final };
}

// ---------------------------------------------------------------------------------------------
// Drawing

function svgElement(name, attributes, parent) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
  if (parent) parent.appendChild(element);
  return element;
}

function shortened(text) {
  return text.length > LONGEST_SHOWN_NAME ? `${text.slice(0, LONGEST_SHOWN_NAME - 1)}…` : text;
}

/** Top-left corner of every widget, shifted so that the smallest offset sits at the margin. */
function layout(states) {
  const offsets = states.map((state, index) => {
    const offset = state.properties && state.properties.offset;
    const x = offset && Number.isFinite(Number(offset.x)) ? Number(offset.x) : null;
    const y = offset && Number.isFinite(Number(offset.y)) ? Number(offset.y) : null;
    // A widget without an offset (hand-written JSON) goes in a column of its own on the left.
    return x === null || y === null ? { x: -WIDGET_WIDTH * 2, y: index * (WIDGET_HEIGHT * 2) } : { x, y };
  });
  const minX = Math.min(...offsets.map((offset) => offset.x));
  const minY = Math.min(...offsets.map((offset) => offset.y));
  const positions = new Map();
  states.forEach((state, index) => positions.set(state.name, { x: offsets[index].x - minX + MARGIN, y: offsets[index].y - minY + MARGIN }));
  return positions;
}

/** Where the arrow of transition `index` of `count` leaves its widget (Studio's ports along the bottom). */
function portX(position, index, count) {
  return position.x + ((index + 1) * WIDGET_WIDTH) / (count + 1);
}

function arrowGeometry(source, transitionIndex, transitionCount, target, selfLoop) {
  const startX = portX(source, transitionIndex, transitionCount);
  const startY = source.y + WIDGET_HEIGHT;
  const endX = target.x + WIDGET_WIDTH / 2;
  const endY = target.y;
  if (selfLoop) {
    const side = source.x + WIDGET_WIDTH + 60;
    const d = `M${startX},${startY} C${startX},${startY + 60} ${side},${startY + 60} ${side},${source.y + WIDGET_HEIGHT / 2} S${endX},${endY - 60} ${endX},${endY}`;
    return { d, label: { x: side + 4, y: source.y + WIDGET_HEIGHT / 2 } };
  }
  const bend = Math.max(40, Math.abs(endY - startY) / 2);
  const c1 = { x: startX, y: startY + bend };
  const c2 = { x: endX, y: endY - bend };
  // The label sits at the curve's midpoint (t = 0.5 of the cubic Bézier).
  const label = { x: (startX + 3 * c1.x + 3 * c2.x + endX) / 8, y: (startY + 3 * c1.y + 3 * c2.y + endY) / 8 };
  return { d: `M${startX},${startY} C${c1.x},${c1.y} ${c2.x},${c2.y} ${endX},${endY}`, label };
}

function drawCanvas() {
  const states = Array.isArray(view.definition && view.definition.states) ? view.definition.states : [];
  const statesByName = new Map(states.map((state) => [state.name, state]));
  const positions = layout(states);
  const path = runPath(view.steps, statesByName, view.execution);
  view.path = path;
  const canvas = document.getElementById('canvas');
  const edgesLayer = document.getElementById('edges');
  const widgetsLayer = document.getElementById('widgets');
  edgesLayer.replaceChildren();
  widgetsLayer.replaceChildren();

  const width = Math.max(...[...positions.values()].map((position) => position.x), 0) + WIDGET_WIDTH + MARGIN + 100;
  const height = Math.max(...[...positions.values()].map((position) => position.y), 0) + WIDGET_HEIGHT + BOTTOM_ROOM;
  canvas.setAttribute('width', String(width));
  canvas.setAttribute('height', String(height));
  canvas.setAttribute('viewBox', `0 0 ${width} ${height}`);

  // Arrows first (under the boxes); the run's arrows last so that no grey arrow covers them.
  const edges = [];
  for (const state of states) {
    const transitions = Array.isArray(state.transitions) ? state.transitions : [];
    transitions.forEach((transition, index) => {
      if (!transition || typeof transition.next !== 'string' || !statesByName.has(transition.next)) return;
      const order = path.edgeOrder.get(edgeKey(state.name, transition.event, transition.next));
      edges.push({ state, transition, index, count: transitions.length, order });
    });
  }
  edges.sort((a, b) => (a.order ? 1 : 0) - (b.order ? 1 : 0));
  for (const edge of edges) {
    const geometry = arrowGeometry(positions.get(edge.state.name), edge.index, edge.count, positions.get(edge.transition.next), edge.state.name === edge.transition.next);
    const group = svgElement('g', { class: edge.order ? 'transition visited' : 'transition', 'data-from': edge.state.name, 'data-event': edge.transition.event, 'data-to': edge.transition.next }, edgesLayer);
    if (edge.order) group.setAttribute('data-visit-order', String(edge.order));
    svgElement('path', { d: geometry.d, 'marker-end': edge.order ? 'url(#arrow-visited)' : 'url(#arrow)' }, group);
    const label = svgElement('text', { x: geometry.label.x, y: geometry.label.y, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, group);
    label.textContent = String(edge.transition.event);
  }

  for (const state of states) {
    const position = positions.get(state.name);
    const order = path.widgetOrder.get(state.name);
    const classes = ['widget'];
    if (order) classes.push('visited');
    if (path.current === state.name) classes.push('current');
    if (path.final === state.name) classes.push('final');
    if (view.selection && view.selection.widget === state.name) classes.push('selected');
    const group = svgElement('g', { class: classes.join(' '), transform: `translate(${position.x},${position.y})`, 'data-name': state.name, 'data-type': state.type, tabindex: 0 }, widgetsLayer);
    if (order) group.setAttribute('data-visit-order', String(order));
    svgElement('title', {}, group).textContent = `${state.name} (${state.type})`;
    svgElement('rect', { width: WIDGET_WIDTH, height: WIDGET_HEIGHT, rx: 6 }, group);
    svgElement('text', { class: 'widget-name', x: 12, y: 24 }, group).textContent = shortened(String(state.name));
    svgElement('text', { class: 'widget-type', x: 12, y: 44 }, group).textContent = shortened(String(state.type));
    const badge = path.current === state.name ? 'waiting' : path.final === state.name ? 'ended' : order ? `#${order}` : '';
    if (badge) svgElement('text', { class: 'badge', x: WIDGET_WIDTH - 10, y: 18, 'text-anchor': 'end' }, group).textContent = badge;
    const transitions = Array.isArray(state.transitions) ? state.transitions : [];
    transitions.forEach((transition, index) => {
      const port = svgElement('circle', { class: 'port', cx: portX({ x: 0 }, index, transitions.length), cy: WIDGET_HEIGHT, r: 3.5 }, group);
      svgElement('title', {}, port).textContent = transition && transition.next ? `${transition.event} → ${transition.next}` : `${transition && transition.event} (ends the flow)`;
    });
    group.addEventListener('click', () => selectWidget(state.name));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') selectWidget(state.name);
    });
  }
}

function drawHeader() {
  const title = document.getElementById('title');
  const summary = document.getElementById('summary');
  const flowLink = document.getElementById('flow-link');
  flowLink.href = `/flows/${encodeURIComponent(route.flowSid)}`;
  flowLink.textContent = `Flow ${route.flowSid}`;
  summary.replaceChildren();
  const item = (term, value, className) => {
    const wrapper = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = value;
    if (className) dd.className = className;
    wrapper.append(dt, dd);
    summary.appendChild(wrapper);
    return dd;
  };
  if (view.execution) {
    const execution = view.execution;
    title.textContent = `${view.flow.friendly_name} · execution ${execution.sid}`;
    item('Status', execution.status, `status-${execution.status}`).id = 'execution-status';
    item('Contact', execution.contact_channel_address);
    item('Flow revision', String(execution.flow_version));
    item('Started', execution.date_created);
    item('Updated', execution.date_updated);
    document.body.dataset.executionStatus = execution.status;
    document.body.dataset.stepCount = String(view.steps.length);
  } else {
    title.textContent = `${view.flow.friendly_name} (${view.flow.sid})`;
    item('Status', view.flow.status);
    item('Revision', String(view.flow.revision));
    item('Updated', view.flow.date_updated);
  }
}

function drawSteps() {
  if (!view.execution) return;
  document.getElementById('steps-panel').hidden = false;
  document.getElementById('step-count').textContent = `(${view.steps.length})`;
  const list = document.getElementById('steps');
  list.replaceChildren();
  for (const step of view.steps) {
    const item = document.createElement('li');
    item.className = view.selection && view.selection.kind === 'step' && view.selection.sid === step.sid ? 'step selected' : 'step';
    item.dataset.stepSid = step.sid;
    item.tabIndex = 0;
    const from = document.createElement('span');
    from.textContent = `${step.transitioned_from} → `;
    const event = document.createElement('span');
    event.className = 'event';
    event.textContent = step.name;
    const to = document.createElement('span');
    to.textContent = ` → ${step.transitioned_to}`;
    const when = document.createElement('small');
    when.textContent = `${step.date_created}${step.parent_step_sid ? ' · in a subflow' : ''}`;
    item.append(from, event, to, when);
    item.addEventListener('click', () => selectStep(step.sid));
    item.addEventListener('keydown', (keyEvent) => {
      if (keyEvent.key === 'Enter' || keyEvent.key === ' ') selectStep(step.sid);
    });
    list.appendChild(item);
  }
}

function renderExecutionsList(executions) {
  document.getElementById('executions-panel').hidden = false;
  const list = document.getElementById('executions');
  list.replaceChildren();
  if (executions.length === 0) {
    const none = document.createElement('li');
    none.textContent = 'No executions yet.';
    list.appendChild(none);
  }
  for (const execution of executions) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `/flows/${encodeURIComponent(route.flowSid)}/executions/${encodeURIComponent(execution.sid)}`;
    link.textContent = execution.sid;
    item.append(link, ` · ${execution.status} · ${execution.contact_channel_address} · ${execution.date_created}`);
    list.appendChild(item);
  }
}

function drawAll() {
  drawHeader();
  drawCanvas();
  drawSteps();
}

// ---------------------------------------------------------------------------------------------
// The context panel

function showContext(title, value) {
  document.getElementById('context-title').textContent = title;
  document.getElementById('context-hint').hidden = true;
  document.getElementById('context-json').textContent = JSON.stringify(value, null, 2);
}

async function selectStep(stepSid) {
  const step = view.steps.find((candidate) => candidate.sid === stepSid);
  view.selection = { kind: 'step', sid: stepSid, widget: step ? step.transitioned_from : null };
  drawAll();
  const title = step ? `Step ${step.transitioned_from} → ${step.name} → ${step.transitioned_to}` : `Step ${stepSid}`;
  try {
    const stepContext = await api(`${executionPath(route.flowSid, route.executionSid)}/Steps/${encodeURIComponent(stepSid)}/Context`);
    // Another click may have changed the selection while this one loaded.
    if (view.selection && view.selection.sid === stepSid) showContext(title, stepContext.context);
  } catch (error) {
    showError(error);
  }
}

/** A widget shows the context of its latest step; one the run has not processed shows its definition. */
function selectWidget(name) {
  const ownSteps = view.steps.filter((step) => step.transitioned_from === name && !step.parent_step_sid);
  const latest = ownSteps[ownSteps.length - 1];
  if (latest) return void selectStep(latest.sid);
  view.selection = { kind: 'widget', sid: null, widget: name };
  drawAll();
  const state = (view.definition.states || []).find((candidate) => candidate.name === name);
  const situation = !view.execution ? 'definition' : view.path && view.path.current === name ? 'waiting here, no step yet' : 'not run';
  showContext(`${name} (${state ? state.type : 'unknown'}) · ${situation}`, state ? state.properties || {} : {});
}

async function showExecutionContext() {
  view.selection = { kind: 'execution', sid: null, widget: null };
  drawAll();
  try {
    const context = await api(`${executionPath(route.flowSid, route.executionSid)}/Context`);
    showContext('Execution context', context.context);
  } catch (error) {
    showError(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Start and polling

function showError(error) {
  const element = document.getElementById('error');
  element.hidden = !error;
  element.textContent = error ? String(error.message || error) : '';
}

async function poll() {
  try {
    const before = JSON.stringify([view.execution && view.execution.status, view.steps.length]);
    await refreshExecution();
    showError(null);
    if (JSON.stringify([view.execution.status, view.steps.length]) !== before) drawAll();
  } catch (error) {
    showError(error);
  }
  if (!view.execution || view.execution.status === 'active') window.setTimeout(poll, POLL_INTERVAL_MS);
}

async function start() {
  if (!route) {
    showError(new Error(`Not a run view address: ${window.location.pathname}`));
    return;
  }
  document.getElementById('show-execution-context').addEventListener('click', () => void showExecutionContext());
  try {
    if (route.executionSid) await loadExecutionView();
    else await loadFlowView();
    drawAll();
  } catch (error) {
    document.getElementById('title').textContent = 'Could not load this page';
    showError(error);
  }
  document.body.dataset.ready = 'true';
  if (view.execution && view.execution.status === 'active') window.setTimeout(poll, POLL_INTERVAL_MS);
}

void start();
