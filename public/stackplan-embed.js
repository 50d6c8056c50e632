// Stackplan embed: <script type="module" src="https://planner.example/public/stackplan-embed.js"></script>
// then <stackplan-planner api-base="https://planner.example" plan="#plan=1.…" hide-deploy></stackplan-planner>
//
// The planner runs in an iframe inside the element's shadow root: its styles cannot leak into
// the host page and the host's styles cannot reach it. Theme it with CSS custom properties on
// the element (the THEME_VARS below), sent when the planner says it is ready and again when the
// element's style or class changes. Events are re-dispatched on the element as CustomEvents:
//   stackplan:ready, stackplan:plan-changed ({plan, monthly_usd, lower_bound, valid}),
//   stackplan:plan-rejected ({reason}), stackplan:deploy-started, stackplan:deploy-finished,
//   stackplan:delete-finished (README, "Embedding the planner").
// A host script that runs after the planner started reads what it missed on the element:
// `ready` (true once the planner in the frame said it is ready, false while it loads anew) and
// `current` (the last plan-changed detail, or null).
// Messages are accepted only from the planner's origin and its own iframe.
// Every colour and font the planner's style sheet takes from a custom property: a host that sets
// them all themes every part (the template's code and its highlighting included), whatever
// light or dark scheme the visitor's system asks for.
const THEME_VARS = ['--sp-bg', '--sp-surface', '--sp-text', '--sp-muted', '--sp-border', '--sp-field-border',
  '--sp-on-fill', '--sp-accent', '--sp-accent-soft', '--sp-radius', '--sp-font', '--sp-mono', '--sp-error',
  '--sp-warning', '--sp-good', '--sp-code-bg', '--sp-k', '--sp-s', '--sp-n', '--sp-l'];
const scriptBase = new URL('..', import.meta.url).href;

// The fragment that opens the plan a `plan` attribute gives (a share link, its fragment, or
// the bare `1.…` payload): `plan=<payload>`, with the link's free-tier and price-book parts.
// Nothing else reaches the frame: a `#token=` there would make the planner keep a deploy token
// that whoever wrote the attribute chose (a pasted "share link"), so anything that is not a
// plan is refused, and the planner opens without one.
const PLAN_PAYLOAD = /^\d+\.[A-Za-z0-9_-]+$/;
const PLAN_EXTRAS = /^(free_tier=off|book=[A-Za-z0-9._:-]+,[A-Za-z0-9._:-]+)$/;
// `null` for no plan (no attribute, or an empty one); `false` for a value that is no plan.
function planFragment(value) {
  value = (value || '').trim();
  if (!value) return null;
  const fragment = value.includes('#') ? value.slice(value.lastIndexOf('#') + 1) : value;
  const [first, ...rest] = fragment.split('&');
  const payload = first.startsWith('plan=') ? first.slice('plan='.length) : first;
  if (!PLAN_PAYLOAD.test(payload)) return false;
  return [`plan=${payload}`, ...rest.filter((part) => PLAN_EXTRAS.test(part))].join('&');
}

// One style sheet for every element on the page.
let sheet = null;
function frameSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      :host { display: block; min-height: 720px; border: 1px solid var(--sp-border, #dfe3ec); border-radius: var(--sp-radius, 10px); overflow: hidden; }
      iframe { display: block; width: 100%; height: 100%; min-height: inherit; border: 0; }`);
  }
  return sheet;
}

class StackplanPlanner extends HTMLElement {
  static get observedAttributes() { return ['api-base', 'plan', 'hide-deploy']; }

  connectedCallback() {
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: 'open' });
      // Built without markup or an inline <style>: a host page whose Content-Security-Policy
      // allows no inline style, or requires Trusted Types, still gets a sized frame.
      root.adoptedStyleSheets = [frameSheet()];
      const frame = document.createElement('iframe');
      frame.title = 'Stackplan planner';
      frame.allow = 'clipboard-write';
      root.append(frame);
      this._onMessage = (event) => this._receive(event);
      // A theme changed on the element (its style or class) reaches a planner already running.
      new MutationObserver(() => { if (this._ready) this._sendTheme(); })
        .observe(this, { attributes: true, attributeFilter: ['style', 'class'] });
    }
    // Every time the element is (re)attached: a move in the page disconnects it first.
    window.addEventListener('message', this._onMessage);
    this._load();
  }

  disconnectedCallback() {
    window.removeEventListener('message', this._onMessage);
    // The frame unloads with the element; attached again, it loads and says ready anew.
    this._ready = false;
  }

  attributeChangedCallback(name) {
    // Setting `plan` opens it even when it is the value already set: the planner may have
    // been edited since, and the host asks for that plan again.
    if (this.shadowRoot) this._load(name === 'plan');
  }

  get plannerUrl() {
    return new URL(this.getAttribute('api-base') || scriptBase, document.baseURI);
  }

  _load(force = false) {
    const url = new URL('/', this.plannerUrl);
    url.searchParams.set('embed', '1');
    url.searchParams.set('host', window.location.origin);
    if (this.hasAttribute('hide-deploy')) url.searchParams.set('hide-deploy', '1');
    let plan = planFragment(this.getAttribute('plan'));
    if (plan === false) {
      // Not a plan: the planner keeps what it shows (the user's edits included), and the
      // host hears why. A planner not loaded yet opens without a plan.
      const reason = 'the plan attribute holds no share-link plan (…#plan=1.…)';
      console.warn(`stackplan-planner: ${reason}; it is ignored`);
      this.dispatchEvent(new CustomEvent('stackplan:plan-rejected', { detail: { reason }, bubbles: true, composed: true }));
      const frame = this.shadowRoot.querySelector('iframe');
      if (force && frame.src) return;
      plan = this._lastPlan || null;
    }
    if (plan) this._lastPlan = plan;
    if (plan) url.hash = plan;
    // Setting `plan` opens it even when it is the value already set, or the address the
    // planner is at (its edits do not change its address): a counter after the plan makes each
    // set a new fragment, which the planner opens without loading again (the plan's reader
    // stops at `&`). Other loads keep the counter, so that they do not reopen the plan over
    // the user's edits.
    if (plan && force) this._opened = (this._opened || 0) + 1;
    if (plan && this._opened) url.hash += `&n=${this._opened}`;
    const frame = this.shadowRoot.querySelector('iframe');
    if (force || frame.src !== url.href) {
      // A new fragment on the same address is opened in place: the planner stays ready. Any
      // other change (an address without a fragment included) loads the frame anew.
      const reloads = frame.src.split('#')[0] !== url.href.split('#')[0] || !url.hash;
      if (reloads) this._ready = false;
      frame.src = url.href;
    }
  }

  get ready() { return this._ready === true; }

  get current() { return this._current || null; }

  _receive(event) {
    const frame = this.shadowRoot && this.shadowRoot.querySelector('iframe');
    if (!frame || event.source !== frame.contentWindow || event.origin !== this.plannerUrl.origin) return;
    const data = event.data;
    if (!data || data.source !== 'stackplan' || typeof data.type !== 'string') return;
    if (data.type === 'ready') {
      this._ready = true;
      this._sendTheme();
    }
    const { source, type, ...detail } = data;
    if (type === 'plan-changed') this._current = detail;
    this.dispatchEvent(new CustomEvent(`stackplan:${type}`, { detail, bubbles: true, composed: true }));
  }

  _sendTheme() {
    const style = getComputedStyle(this);
    const vars = {};
    // Every name, unset ones as '' (the planner then drops a value sent before).
    for (const name of THEME_VARS) vars[name] = style.getPropertyValue(name).trim();
    const frame = this.shadowRoot.querySelector('iframe');
    frame.contentWindow.postMessage({ source: 'stackplan-host', type: 'theme', vars }, this.plannerUrl.origin);
  }
}

if (!customElements.get('stackplan-planner')) customElements.define('stackplan-planner', StackplanPlanner);
