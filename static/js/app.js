/*
 * carecoord — small progressive enhancement layer.
 *
 * Loaded with <script src defer> after htmx; no inline scripts anywhere
 * (strict Content-Security-Policy). Everything here is optional: every page
 * works without JavaScript.
 *
 *  1. CSRF: adds the token from <meta name="csrf-token"> to same-origin htmx
 *     requests (header X-CSRFToken, Django's default CSRF_HEADER_NAME).
 *  2. Flash messages: close buttons ([data-dismiss="message"]); htmx network
 *     and server errors are announced in the #messages live region.
 *  3. Keyboard shortcut "/" focuses the global member search (#global-search).
 *  4. Tabs ([role=tablist]): roving tabindex, Left/Right (Up/Down when
 *     aria-orientation="vertical"), Home/End. Tabs with aria-controls switch
 *     panels client-side; add data-activation="manual" on the tablist to move
 *     focus without activating (e.g. tabs that load via hx-get).
 *  5. Small extras: focus the form error summary on load, close the user menu
 *     with Escape or an outside click.
 *  6. Case page: a #section-<key> hash (or a [data-tab-link] click) opens
 *     that tab; short action forms loaded into an .action-panel get focus,
 *     "Cancel" ([data-close-panel]) empties the panel and returns focus to
 *     the button that opened it; after the case body is refreshed, focus
 *     goes to the open tab panel.
 */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  root.classList.add("js");

  /* ------------------------------------------------------------ helpers */
  function onReady(fn) {
    if (doc.readyState === "loading") {
      doc.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function csrfToken() {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function isSameOrigin(path) {
    if (!path) {
      return true;
    }
    try {
      return new URL(path, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  function isTypingTarget(el) {
    if (!el) {
      return false;
    }
    if (el.isContentEditable) {
      return true;
    }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  /* ------------------------------------------------------- 1. htmx CSRF */
  doc.addEventListener("htmx:configRequest", function (evt) {
    var detail = evt.detail || {};
    if (!isSameOrigin(detail.path)) {
      return; // never leak the token to another origin
    }
    var token = csrfToken();
    if (token && detail.headers) {
      detail.headers["X-CSRFToken"] = token;
    }
  });

  /* ---------------------------------------------------- 2. flash messages */
  doc.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest('[data-dismiss="message"]') : null;
    if (!btn) {
      return;
    }
    var message = btn.closest(".message");
    if (!message) {
      return;
    }
    var container = message.parentElement;
    var next = message.nextElementSibling || message.previousElementSibling;
    message.remove();
    // Keep keyboard focus somewhere sensible instead of dropping to <body>.
    var nextClose = next && next.querySelector('[data-dismiss="message"]');
    if (nextClose) {
      nextClose.focus();
    } else {
      var main = doc.getElementById("main");
      if (main) {
        main.focus();
      }
    }
    if (container && !container.querySelector(".message")) {
      container.textContent = ""; // makes :empty match, hiding the region
    }
  });

  function announceError(text) {
    var region = doc.getElementById("messages");
    if (!region || !text) {
      return;
    }
    var closeLabel = region.getAttribute("data-close-label") || "Dismiss";
    var item = doc.createElement("div");
    item.className = "message message--error";
    var p = doc.createElement("p");
    p.className = "message__text";
    p.textContent = text;
    var btn = doc.createElement("button");
    btn.type = "button";
    btn.className = "message__close";
    btn.setAttribute("data-dismiss", "message");
    btn.setAttribute("aria-label", closeLabel);
    btn.textContent = "\u00D7";
    item.appendChild(p);
    item.appendChild(btn);
    region.appendChild(item);
  }

  doc.addEventListener("htmx:responseError", function () {
    var region = doc.getElementById("messages");
    announceError(region && region.getAttribute("data-error-text"));
  });
  doc.addEventListener("htmx:sendError", function () {
    var region = doc.getElementById("messages");
    announceError(region && region.getAttribute("data-network-error-text"));
  });

  /* ------------------------------------------------ 3. "/" focuses search */
  doc.addEventListener("keydown", function (evt) {
    if (evt.key !== "/" || evt.ctrlKey || evt.metaKey || evt.altKey) {
      return;
    }
    if (evt.defaultPrevented || isTypingTarget(evt.target)) {
      return;
    }
    var search = doc.getElementById("global-search");
    if (!search) {
      return;
    }
    evt.preventDefault();
    search.focus();
    if (typeof search.select === "function") {
      search.select();
    }
  });

  /* ------------------------------------------------------------- 4. tabs */
  function tabsOf(tablist) {
    return Array.prototype.filter.call(
      tablist.querySelectorAll('[role="tab"]'),
      function (tab) {
        return tab.closest('[role="tablist"]') === tablist && !tab.hasAttribute("disabled");
      }
    );
  }

  function panelFor(tab) {
    var id = tab.getAttribute("aria-controls");
    return id ? doc.getElementById(id) : null;
  }

  function selectTab(tablist, tab, moveFocus) {
    tabsOf(tablist).forEach(function (t) {
      var selected = t === tab;
      t.setAttribute("aria-selected", selected ? "true" : "false");
      t.setAttribute("tabindex", selected ? "0" : "-1");
      var panel = panelFor(t);
      if (panel) {
        panel.hidden = !selected;
      }
    });
    if (moveFocus) {
      tab.focus();
    }
  }

  function initTablist(tablist) {
    if (tablist.getAttribute("data-tabs-ready") === "true") {
      return;
    }
    var tabs = tabsOf(tablist);
    if (!tabs.length) {
      return;
    }
    tablist.setAttribute("data-tabs-ready", "true");
    var current = tabs.filter(function (t) {
      return t.getAttribute("aria-selected") === "true";
    })[0] || tabs[0];
    selectTab(tablist, current, false);
    tabs.forEach(function (t) {
      var panel = panelFor(t);
      if (panel && !panel.hasAttribute("tabindex")) {
        panel.setAttribute("tabindex", "0");
      }
    });
  }

  function initTabs(scope) {
    var base = scope && scope.querySelectorAll ? scope : doc;
    if (base.matches && base.matches('[role="tablist"]')) {
      initTablist(base);
    }
    Array.prototype.forEach.call(base.querySelectorAll('[role="tablist"]'), initTablist);
  }

  doc.addEventListener("click", function (evt) {
    var tab = evt.target.closest ? evt.target.closest('[role="tab"]') : null;
    if (!tab) {
      return;
    }
    var tablist = tab.closest('[role="tablist"]');
    if (!tablist || tab.hasAttribute("disabled")) {
      return;
    }
    // Tabs that are links without a client-side panel navigate normally.
    selectTab(tablist, tab, false);
  });

  doc.addEventListener("keydown", function (evt) {
    var tab = evt.target;
    if (!tab || !tab.getAttribute || tab.getAttribute("role") !== "tab") {
      return;
    }
    var tablist = tab.closest('[role="tablist"]');
    if (!tablist) {
      return;
    }
    var tabs = tabsOf(tablist);
    var index = tabs.indexOf(tab);
    if (index < 0) {
      return;
    }
    var vertical = tablist.getAttribute("aria-orientation") === "vertical";
    var rtl = getComputedStyle(tablist).direction === "rtl";
    var prevKey = vertical ? "ArrowUp" : (rtl ? "ArrowRight" : "ArrowLeft");
    var nextKey = vertical ? "ArrowDown" : (rtl ? "ArrowLeft" : "ArrowRight");
    var target = null;
    switch (evt.key) {
      case prevKey:
        target = tabs[(index - 1 + tabs.length) % tabs.length];
        break;
      case nextKey:
        target = tabs[(index + 1) % tabs.length];
        break;
      case "Home":
        target = tabs[0];
        break;
      case "End":
        target = tabs[tabs.length - 1];
        break;
      default:
        return;
    }
    evt.preventDefault();
    if (tablist.getAttribute("data-activation") === "manual") {
      tabs.forEach(function (t) {
        t.setAttribute("tabindex", t === target ? "0" : "-1");
      });
      target.focus();
    } else if (!panelFor(target) && target.tagName === "A") {
      // Link tabs navigate away: only move focus; Enter follows the link.
      tabs.forEach(function (t) {
        t.setAttribute("tabindex", t === target ? "0" : "-1");
      });
      target.focus();
    } else {
      selectTab(tablist, target, true);
      if (!panelFor(target)) {
        // No client-side panel (e.g. an hx-get button tab): activate it.
        target.click();
      }
    }
  });

  /* ------------------------------------------------------------ 5. extras */
  // Escape closes an open user menu and returns focus to its toggle.
  doc.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") {
      return;
    }
    Array.prototype.forEach.call(doc.querySelectorAll("details.user-menu[open]"), function (d) {
      d.open = false;
      var summary = d.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    });
  });
  doc.addEventListener("click", function (evt) {
    Array.prototype.forEach.call(doc.querySelectorAll("details.user-menu[open]"), function (d) {
      if (!d.contains(evt.target)) {
        d.open = false;
      }
    });
  });

  function focusErrorSummary(scope) {
    var base = scope && scope.querySelector ? scope : doc;
    var summary = base.querySelector("[data-error-summary]");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) {
        summary.setAttribute("tabindex", "-1");
      }
      summary.focus();
    }
  }

  // Re-initialise behaviours for content swapped in by htmx.
  doc.addEventListener("htmx:load", function (evt) {
    initTabs(evt.target);
  });

  /* ------------------------------------------------- 6. case page */
  function openTabFor(key, focusPanel) {
    var tab = doc.getElementById("tab-" + key);
    var tablist = tab && tab.closest('[role="tablist"]');
    if (!tablist) {
      return false;
    }
    selectTab(tablist, tab, false);
    var panel = panelFor(tab);
    if (panel && focusPanel) {
      panel.focus();
    }
    return true;
  }

  function openTabFromHash() {
    var match = /^#section-([\w-]+)$/.exec(window.location.hash || "");
    if (match) {
      openTabFor(match[1], false);
    }
  }
  window.addEventListener("hashchange", openTabFromHash);

  doc.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("[data-tab-link]") : null;
    if (!link) {
      return;
    }
    if (openTabFor(link.getAttribute("data-tab-link"), true)) {
      evt.preventDefault();
    }
  });

  var lastPanelTrigger = null;
  doc.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.matches && elt.matches("[hx-get][hx-target^='#action-panel']")) {
      lastPanelTrigger = elt;
    }
  });

  function focusFirstField(scope) {
    var summary = scope.querySelector("[data-error-summary]");
    var invalid = scope.querySelector("[aria-invalid=true]");
    var first = scope.querySelector("input:not([type=hidden]), select, textarea");
    var target = invalid || first || summary;
    if (target) {
      target.focus();
    }
  }

  // A short form answered with a redirect (the usual "saved, back to the case" of a view
  // written for full pages) navigates there instead of nesting a whole page in the panel.
  doc.addEventListener("htmx:beforeSwap", function (evt) {
    var detail = evt.detail || {};
    var xhr = detail.xhr;
    var panel = detail.target && detail.target.closest ? detail.target.closest(".action-panel") : null;
    if (!panel || !xhr || !xhr.responseURL || detail.requestConfig && detail.requestConfig.verb === "get") {
      return;
    }
    var requested = detail.pathInfo && detail.pathInfo.finalRequestPath;
    var answered = new URL(xhr.responseURL, window.location.href);
    var asked = new URL(requested || "", window.location.href);
    if (answered.pathname !== asked.pathname && xhr.status < 400) {
      detail.shouldSwap = false;
      window.location.assign(answered.href);
    }
  });

  doc.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || !target.classList) {
      return;
    }
    if (target.classList.contains("action-panel")) {
      focusFirstField(target);
    }
  });

  doc.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.target;
    var body = doc.getElementById("case-body");
    if (target && body && (target === body || target.id === "case-body" || !doc.contains(target))) {
      var open = body.querySelector('[role="tabpanel"]:not([hidden])');
      if (open) {
        open.focus();
      }
    }
  });

  doc.addEventListener("click", function (evt) {
    var close = evt.target.closest ? evt.target.closest("[data-close-panel]") : null;
    if (!close) {
      return;
    }
    var panel = close.closest(".action-panel");
    if (!panel) {
      return; // full-page form: the link goes back to the case page
    }
    evt.preventDefault();
    panel.textContent = "";
    if (lastPanelTrigger && doc.contains(lastPanelTrigger)) {
      lastPanelTrigger.focus();
    }
  });

  onReady(function () {
    initTabs(doc);
    openTabFromHash();
    focusErrorSummary(doc);
  });
})();
