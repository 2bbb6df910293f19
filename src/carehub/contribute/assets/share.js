/*
 * The "share your story" form (/contribute/share/).
 *
 * The markup is generated from the content model by shareform.py; the rules
 * this script checks come from the story JSON Schema embedded in the page, so
 * they are the rules `carehub check` applies. The script turns the answers into
 * a story file and offers four ways to send it: a prefilled "create new file"
 * page on GitHub, copy, download, and e-mail. It makes no network requests.
 * Error handling follows the GOV.UK pattern: a summary at the top that takes
 * focus, with links to each field, and a message beside each field.
 */
(function () {
  "use strict";

  var root = document.getElementById("share");
  var dataElement = document.getElementById("share-data");
  if (!root || !dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var schema = data.schema;
  var defs = schema.$defs;
  var form = document.getElementById("share-form");
  var questions = form.querySelector("[data-share-questions]");
  var summary = document.getElementById("share-errors");
  var result = document.getElementById("share-result");
  var markdownBox = document.getElementById("share-markdown");
  var status = document.getElementById("share-status");
  var pageTitle = document.title;
  var LONG_TEXT_FROM = 201; // as fieldspec.py: longer limits are paragraphs
  var WRAP = 100; // as scaffold.py
  var URL_LIMIT = 8000; // GitHub refuses much longer addresses
  var YAML_WORDS = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"];
  var PLAIN = /^[A-Za-z][A-Za-z0-9 .,'\u2019()/&+@\u2013-]*$/;
  var current = null; // the chosen story type
  var prepared = null; // {slug, markdown, title}

  root.querySelector("[data-share-nojs]").hidden = true;
  form.hidden = false;

  // -- the schema ---------------------------------------------------------------------

  function resolve(node) {
    while (node && node.$ref) node = defs[node.$ref.split("/").pop()];
    return node;
  }
  function unwrap(node) {
    node = resolve(node);
    if (node && node.anyOf) {
      node = resolve(node.anyOf.filter(function (o) { return o.type !== "null"; })[0]);
    }
    return node;
  }
  function partsOf(path) {
    return path.split(".").filter(function (p) { return !/^\d+$/.test(p); });
  }
  /* The schema of a field for a type: {node, required}, or null if the type has no such field. */
  function lookup(type, path) {
    var node = resolve({ $ref: schema.discriminator.mapping[type] });
    var required = true;
    var parts = partsOf(path);
    for (var i = 0; i < parts.length; i++) {
      node = unwrap(node);
      if (node && node.type === "array") node = unwrap(node.items);
      if (!node || !node.properties || !(parts[i] in node.properties)) return null;
      required = (node.required || []).indexOf(parts[i]) >= 0;
      node = node.properties[parts[i]];
    }
    return { node: unwrap(node), required: required };
  }

  // -- showing the questions for a type ----------------------------------------------------

  function applies(element, type) {
    var types = element.getAttribute("data-types");
    return types === null || types.split(" ").indexOf(type) >= 0;
  }

  function showType(type) {
    current = type;
    questions.hidden = false;
    form.querySelectorAll("[data-types]").forEach(function (element) {
      var on = applies(element, type);
      element.hidden = !on;
      element.querySelectorAll("input, select, textarea, button").forEach(function (control) {
        control.disabled = !on;
      });
    });
    form.querySelectorAll("[data-field]").forEach(function (element) {
      var marker = element.querySelector("[data-optional]");
      if (!marker) return;
      var path = element.getAttribute("data-field");
      var info = path === "body" ? { required: true } : lookup(type, path);
      // Emptied rather than hidden, so the label's text is exactly what a screen reader says.
      marker.textContent = !info || info.required ? "" : " (optional)";
    });
  }

  form.querySelectorAll('input[name="type"]').forEach(function (radio) {
    radio.addEventListener("change", function () { showType(radio.value); });
    if (radio.checked) showType(radio.value);
  });

  // -- repeatable groups (outcomes, sources, downloads) -----------------------------------

  function renumber(group) {
    group.querySelectorAll("[data-item]").forEach(function (item, index) {
      item.querySelector("[data-item-number]").textContent = String(index + 1);
    });
  }

  var itemCounter = 0;
  form.querySelectorAll("[data-group]").forEach(function (group) {
    var template = group.querySelector("template[data-item-template]");
    var list = group.querySelector("[data-items]");
    group.querySelector("[data-add-item]").addEventListener("click", function () {
      itemCounter += 1;
      var n = String(itemCounter);
      var html = template.innerHTML.replace(/ITEMN/g, n);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var item = holder.firstElementChild;
      list.appendChild(item);
      item.querySelector("[data-remove-item]").addEventListener("click", function () {
        item.remove();
        renumber(group);
        group.querySelector("[data-add-item]").focus();
      });
      renumber(group);
      var first = item.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });

  // -- reading the answers ---------------------------------------------------------------

  function today() {
    var now = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }

  function controls(path) {
    return Array.prototype.slice.call(form.querySelectorAll('[name="' + path + '"]'));
  }

  /* The value of one field (and of the fields inside it), or undefined if left empty. */
  function valueOf(path, node, container) {
    if (node.type === "object") {
      var object = {};
      Object.keys(node.properties).forEach(function (key) {
        var child = lookup(current, path + "." + key);
        var value = child && valueOf(path + "." + key, child.node, container);
        if (value !== undefined) object[key] = value;
      });
      return Object.keys(object).length ? object : undefined;
    }
    if (node.type === "array" && unwrap(node.items).type === "object") {
      var group = form.querySelector('[data-group="' + path + '"]');
      var items = [];
      group.querySelectorAll("[data-item]").forEach(function (item) {
        var prefix = item.querySelector("[data-item-field]").getAttribute("data-field").replace(/\.[^.]+$/, "");
        var value = valueOf(prefix, unwrap(node.items), item);
        if (value !== undefined) items.push({ prefix: prefix, value: value });
      });
      return items.length ? items : undefined;
    }
    var found = controls(path);
    if (!found.length) return undefined;
    if (node.type === "array") {
      var ticked = found.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
      return ticked.length ? ticked : undefined;
    }
    if (node.type === "boolean") return found[0].checked ? true : undefined;
    if (found[0].type === "radio") {
      var chosen = found.filter(function (c) { return c.checked; })[0];
      return chosen ? chosen.value : undefined;
    }
    var text = found[0].value.trim();
    if (!text) return undefined;
    if (node.type === "number") return { raw: text, number: Number(text) };
    return text;
  }

  function answers() {
    var meta = {};
    data.types[current].order.forEach(function (name) {
      if (name === "type") meta.type = current;
      else {
        var element = form.querySelector('[data-field="' + name + '"]');
        var info = lookup(current, name);
        if (!element || !applies(element, current) || !info) return;
        var value = valueOf(name, info.node, element);
        if (value !== undefined) meta[name] = value;
      }
    });
    return meta;
  }

  var dateField = document.getElementById("f-date");
  if (dateField && !dateField.value) dateField.value = today(); // the author may choose another

  // -- checking them against the schema --------------------------------------------------

  function labelOf(path) {
    var id = "f-" + path.replace(/[._]/g, "-");
    var element = document.getElementById(id);
    var label = element && (element.tagName === "FIELDSET" ? element.querySelector("legend") : form.querySelector('label[for="' + id + '"]'));
    var text = label ? label.cloneNode(true) : null;
    if (text) text.querySelectorAll("[data-optional], [data-item-number]").forEach(function (m) { m.remove(); });
    var name = text ? text.textContent.trim() : path;
    var item = element && element.closest("[data-item]");
    return item ? name + "\u201d in \u201c" + itemName(item) : name;
  }

  /* "outcome 2 (Average length of stay)": which copy of a repeated group a message is about. */
  function itemName(item) {
    var legend = item.querySelector("legend").cloneNode(true);
    legend.querySelectorAll("[data-item-number]").forEach(function (m) { m.remove(); });
    var noun = legend.textContent.trim().toLowerCase().replace(/s$/, "");
    var number = item.querySelector("[data-item-number]").textContent;
    var first = item.querySelector("input[type=text], textarea");
    var named = first && first.value.trim() ? " (" + first.value.trim().slice(0, 60) + ")" : "";
    return noun + " " + number + named;
  }

  // -- the personal-data screen, as `carehub check` runs it (check/privacy.py, exported to the page) ---

  var rules = data.privacy;
  var PATTERNS = {};
  Object.keys(rules.patterns).forEach(function (code) {
    PATTERNS[code] = new RegExp(rules.patterns[code].source, "g" + rules.patterns[code].flags);
  });
  var ROLE_WORDS = rules.roleWords;
  var LONG_ROLE_WORDS = ROLE_WORDS.filter(function (w) { return w.length >= 5; });

  function nhsNumberIsValid(digits) {
    if (!/^\d{10}$/.test(digits)) return false;
    var total = 0;
    for (var i = 0; i < 9; i++) total += Number(digits[i]) * (10 - i);
    var check = 11 - (total % 11);
    if (check === 11) check = 0;
    return check !== 10 && check === Number(digits[9]);
  }

  function ukPhoneDigits(candidate) {
    var digits = candidate.replace(/\D/g, "");
    if (candidate.indexOf("+44") === 0) digits = "0" + digits.slice(2).replace(/^0/, "");
    return (digits.length === 10 || digits.length === 11) && digits[0] === "0" && digits[1] !== "0";
  }

  /* The mailbox rule (privacy.mailbox_kind): [personal, why]. */
  function mailboxKind(address) {
    var local = address.split("@")[0].toLowerCase();
    var parts = local.replace(/\d+$/, "").split(/[._+-]+/).filter(Boolean);
    if (!parts.length) return [true, "it has no words"];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (ROLE_WORDS.indexOf(part) >= 0 || LONG_ROLE_WORDS.some(function (w) { return part.indexOf(w) >= 0; })) {
        return [false, "\u201c" + part + "\u201d names a team, service or programme"];
      }
    }
    var letters = parts.map(function (p) { return p.replace(/\d+/g, ""); });
    if (letters.length >= 2 && letters.some(function (p) { return p.length === 1; })) return [true, "it is an initial and a name"];
    if (rules.titles.indexOf(letters[0]) >= 0) return [true, "it starts with a title"];
    if (rules.givenNames.indexOf(letters[0]) >= 0 || rules.givenNames.indexOf(letters[letters.length - 1]) >= 0) {
      return [true, "it is shaped like firstname.lastname"];
    }
    if (letters.length === 1) return [true, "it is one word that names no team or service"];
    return [false, "its words name a team or programme, not a person"];
  }

  /* Every finding in a text, as privacy.find_personal_data: [{code, text, what}]. */
  function findPersonalData(text, contact, patient) {
    var found = [];
    function each(code, keep, what) {
      var pattern = PATTERNS[code];
      pattern.lastIndex = 0;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        if (match[0] === "") { pattern.lastIndex++; continue; }
        if (keep(match)) found.push({ code: code.slice(0, 5), text: match[0], what: what(match) });
      }
    }
    each("CH300", function (m) { return nhsNumberIsValid(m[1] + m[3] + m[4]); }, function () { return "an NHS number"; });
    each("CH301", function () { return true; }, function () { return "a full postcode"; });
    each("CH302", function (m) { return ukPhoneDigits(m[0]); }, function () { return "a phone number"; });
    each("CH304", function () { return true; }, function () { return "a date of birth"; });
    if (patient) each("CH304-age", function () { return true; }, function () { return "an age or birthday with a day and month"; });
    each("CH303", function (m) { return mailboxKind(m[0])[0] || !contact; }, function (m) {
      var kind = mailboxKind(m[0]);
      return kind[0] ? "a personal email address (" + kind[1] + ")" : "an email address outside a mailbox question";
    });
    return found;
  }

  function norm(value) { return value.split(/\s+/).filter(Boolean).join(" ").toLowerCase(); }

  function screenAll(errors, meta) {
    var allowed = (meta.privacy_exceptions || []).map(function (item) { return norm(item.value.text || ""); });
    var patient = rules.patientTypes.indexOf(current) >= 0;
    function screen(path, text, contact) {
      findPersonalData(text, contact, patient).forEach(function (finding) {
        var key = norm(finding.text);
        if (allowed.some(function (a) { return a && (a === key || a.indexOf(key) >= 0); })) return;
        var hint = finding.code === "CH303" && contact
          ? " Use a mailbox named after the team, such as patient.experience@nhs.net."
          : " Remove it, or, if it is not personal data, record a privacy exception with the reason.";
        fail(errors, path, "\u201c" + labelOf(path) + "\u201d holds \u201c" + finding.text + "\u201d, which looks like " +
          finding.what + "." + hint);
      });
    }
    function walk(path, value) {
      if (value === undefined || path.indexOf("privacy_exceptions") === 0) return;
      if (typeof value === "string") screen(path, value, rules.contactFields.indexOf(path.replace(/\.\d+\./g, ".")) >= 0);
      else if (Array.isArray(value)) value.forEach(function (item) {
        if (item && item.prefix) Object.keys(item.value).forEach(function (k) { walk(item.prefix + "." + k, item.value[k]); });
        else if (typeof item === "string") walk(path, item);
      });
      else if (value && typeof value === "object" && !("raw" in value)) Object.keys(value).forEach(function (k) { walk(path + "." + k, value[k]); });
    }
    Object.keys(meta).forEach(function (name) { if (name !== "type") walk(name, meta[name]); });
    var body = form.querySelector("#f-body").value;
    screen("body", body, false);
    findUnsafeMarkup(body).forEach(function (finding) {
      if (finding.warning) return;  // GitHub's preview shows the author the text; check warns in the pull request
      fail(errors, "body", "\u201c" + labelOf("body") + "\u201d: " + finding.message + " " + finding.hint);
    });
  }

  // -- the unsafe-markup screen, as `carehub check` runs it (check/safety.py, exported to the page) ---

  var markup = data.safety;
  var MARKUP = {};
  Object.keys(markup.patterns).forEach(function (name) {
    MARKUP[name] = new RegExp(markup.patterns[name].source, "g" + markup.patterns[name].flags);
  });
  function allMatches(name, text) {
    var pattern = MARKUP[name], out = [], match;
    pattern.lastIndex = 0;
    while ((match = pattern.exec(text)) !== null) {
      out.push(match);
      if (match[0] === "") pattern.lastIndex++;
    }
    return out;
  }
  var entities = document.createElement("textarea");
  function unescapeHtml(value) {
    entities.innerHTML = value; // a detached textarea: its content is text, nothing is parsed or run
    return entities.value;
  }

  /* safety.blank_code: code is shown as text, never run, so spaces replace it (offsets kept). */
  function blankCode(text) {
    function blank(m) { return m.replace(/[^\n]/g, " "); }
    if (text.indexOf("```") >= 0 || text.indexOf("~~~") >= 0) text = text.replace(MARKUP.fence, blank);
    if (text.indexOf("`") >= 0) text = text.replace(MARKUP.codeSpan, blank);
    return text;
  }

  /* safety.unsafe_address: the scheme if a browser would treat the address as more than a web link. */
  function unsafeAddress(address) {
    MARKUP.invisible.lastIndex = 0;
    var plain = unescapeHtml(address).replace(MARKUP.invisible, "").toLowerCase();
    MARKUP.scheme.lastIndex = 0;
    var match = MARKUP.scheme.exec(plain);
    return match && markup.safeSchemes.indexOf(match[1]) < 0 ? match[1] : null;
  }

  /* Every unsafe piece of markup in a story body, as safety.find_unsafe_markup: [{code, message, hint}]. */
  function findUnsafeMarkup(markdown) {
    var found = [];
    var where = markup.where;
    var scripts = where.charAt(0).toUpperCase() + where.slice(1) + " cannot contain scripts.";
    function link(scheme) {
      found.push({ code: "CH402", message: "A `" + scheme + ":` address is not allowed; it could run code or hide content.",
        hint: "Links must start with https://, http://, mailto: or be a path on this site." });
    }
    function links(name, text) {
      allMatches(name, text).forEach(function (m) { var scheme = unsafeAddress(m[1]); if (scheme) link(scheme); });
    }
    if (!/[<{:!]/.test(markdown)) return found;
    var text = blankCode(markdown);
    if (markup.gfm) notGithubMarkdown(text, found);
    if (text.indexOf("<") >= 0) {
      allMatches("tag", text).forEach(function (m) {
        var closing = m[1], name = m[2].toLowerCase(), attributes = m[3];
        if (markup.tags.indexOf(name) < 0) {
          if (!closing) found.push({ code: "CH400", message: "The HTML tag `<" + name + ">` is not allowed in " + where + ".",
            hint: "Use Markdown instead: **bold**, [a link](https://example.org), ![a picture](photo.png \"alt\")." });
          return;
        }
        allMatches("attribute", attributes).forEach(function (a) {
          var attribute = a[1].toLowerCase();
          if (attribute.indexOf("on") === 0) {
            found.push({ code: "CH401", message: "The event handler `" + attribute + "` would run code in readers' browsers.",
              hint: "Remove it. " + scripts });
          } else if ((markup.attributes[name] || []).indexOf(attribute) < 0) {
            found.push({ code: "CH400", message: "The attribute `" + attribute + "` is not allowed on `<" + name + ">`.",
              hint: "Remove the attribute." });
          }
        });
      });
      links("autolink", text);
    }
    if (text.indexOf("](") >= 0) links("inlineLink", text);
    if (text.indexOf("]:") >= 0) links("refDef", text);
    if (text.indexOf("{") >= 0 && !markup.gfm) {  // in a story an attribute list is text (CH403), never an attribute
      allMatches("attrList", text).forEach(function (m) {
        var inner = m[1];
        allMatches("handler", inner).forEach(function (h) {
          found.push({ code: "CH401", message: "The attribute list sets `" + h[1] + "`, which would run code in readers' browsers.",
            hint: "Remove it. " + scripts });
        });
        allMatches("urlAttribute", inner).forEach(function (u) { var scheme = unsafeAddress(u[2]); if (scheme) link(scheme); });
      });
    }
    return found;
  }

  // Markup Python-Markdown understood but GitHub's Markdown publishes as text: warnings (CH403-CH405), as in
  // check/safety.py's _not_github_markdown; the form shows them but they do not stop a story.
  function notGithubMarkdown(text, found) {
    if (text.indexOf("{") >= 0) {
      allMatches("gfmAttrList", text).forEach(function (m) {
        found.push({ code: "CH403", warning: true,
          message: "`" + m[0] + "` is an attribute list, which GitHub's Markdown does not have: it would be published as text.",
          hint: "Remove it; stories cannot set classes, ids or attributes." });
      });
    }
    if (text.indexOf("!!!") >= 0 || text.indexOf("???") >= 0) {
      allMatches("admonition", text).forEach(function (m) {
        var kind = markup.admonitionAlerts[m[1].toLowerCase()] || "NOTE";
        found.push({ code: "CH404", warning: true,
          message: "`" + m[0].trim() + "` is a call-out in a syntax GitHub's Markdown does not have: it would be published as text.",
          hint: "Write it as GitHub's alert: a line `> [!" + kind + "]`, then each line of the call-out starting `> `." });
      });
    }
    if (text.indexOf("[!") >= 0) {
      allMatches("alert", text).forEach(function (m) {
        if (markup.alertKinds.indexOf(m[1]) < 0) {
          found.push({ code: "CH405", warning: true,
            message: "`[!" + m[1] + "]` is not one of GitHub's alerts, so it would be published as a quotation.",
            hint: "Use one of " + markup.alertKinds.map(function (k) { return "`[!" + k + "]`"; }).join(", ") + " (in capitals)." });
        }
      });
    }
  }

  // The same screens, for the tests that hold them to the Python ones (tests/browser/test_share_form.py).
  root.carehubScreen = { findPersonalData: findPersonalData, mailboxKind: mailboxKind, findUnsafeMarkup: findUnsafeMarkup };

  function fail(errors, path, message) {
    errors.push({ path: path, message: message });
  }

  function checkString(errors, path, node, value, label) {
    if (node.minLength && value.length < node.minLength) {
      fail(errors, path, "\u201c" + label + "\u201d must be at least " + node.minLength + " characters");
    } else if (node.maxLength && value.length > node.maxLength) {
      fail(errors, path, "\u201c" + label + "\u201d must be " + node.maxLength + " characters or fewer (it has " + value.length + ")");
    } else if (node.enum && node.enum.indexOf(value) < 0) {
      fail(errors, path, "Choose one of the options for \u201c" + label + "\u201d");
    } else if (node.format === "date") {
      var parsed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      var date = parsed && new Date(Number(parsed[1]), Number(parsed[2]) - 1, Number(parsed[3]));
      if (!date || date.getMonth() !== Number(parsed[2]) - 1) fail(errors, path, "Enter a real date for \u201c" + label + "\u201d");
      else if (value > today()) fail(errors, path, "\u201c" + label + "\u201d must be today or in the past");
    } else if (node.pattern && !new RegExp(node.pattern).test(value)) {
      var how = node.format === "email" ? "an email address like stories-team@example.org"
        : node.format === "uri" ? "a web address starting https://"
        : /reference$/.test(path) ? "a reference like CN-2017-014: capital letters, digits, - and / only"
        : "the right form";
      fail(errors, path, "Enter " + how + " for \u201c" + label + "\u201d");
    } else if (/^downloads\.[^.]+\.href$/.test(path) && !/^https:\/\//.test(value)) {
      // In the repository a download can be a file beside the story; through the form it must be a link.
      fail(errors, path, "Enter a web address starting https:// for \u201c" + label + "\u201d");
    }
  }

  function check(errors, path, info, value) {
    var node = info.node;
    var label = labelOf(path);
    if (value === undefined) {
      if (!info.required) return;
      if (node.type === "boolean") fail(errors, path, "Tick \u201c" + label + "\u201d to confirm it");
      else if (node.type === "array" && unwrap(node.items).enum) fail(errors, path, "Choose at least one option for \u201c" + label + "\u201d");
      else if (node.enum) fail(errors, path, "Choose an option for \u201c" + label + "\u201d");
      else fail(errors, path, "Answer \u201c" + label + "\u201d");
      return;
    }
    if (node.type === "object") {
      Object.keys(node.properties).forEach(function (key) {
        var child = lookup(current, path + "." + key);
        if (child) check(errors, path + "." + key, child, value[key]);
      });
    } else if (node.type === "array" && unwrap(node.items).type === "object") {
      value.forEach(function (item) {
        Object.keys(unwrap(node.items).properties).forEach(function (key) {
          var child = lookup(current, path + "." + key);
          if (child) check(errors, item.prefix + "." + key, child, item.value[key]);
        });
      });
    } else if (node.type === "array") {
      if (node.minItems && value.length < node.minItems) fail(errors, path, "Choose at least " + node.minItems + " for \u201c" + label + "\u201d");
    } else if (node.type === "boolean") {
      if (node.const === true && value !== true) fail(errors, path, "Tick \u201c" + label + "\u201d to confirm it");
    } else if (node.type === "number") {
      if (!isFinite(value.number)) fail(errors, path, "Enter a number for \u201c" + label + "\u201d, without the unit");
    } else if (typeof value === "string") {
      checkString(errors, path, node, value, label);
    }
  }

  function validate(meta) {
    var errors = [];
    if (!current) {
      fail(errors, "type", "Choose what kind of story it is");
      return errors;
    }
    data.types[current].order.forEach(function (name) {
      if (name === "type") return;
      var element = form.querySelector('[data-field="' + name + '"]');
      if (!element || !applies(element, current)) return;
      check(errors, name, lookup(current, name), meta[name]);
    });
    if (!form.querySelector("#f-body").value.trim()) fail(errors, "body", "Write your story in \u201cYour story\u201d");
    screenAll(errors, meta);
    return errors;
  }

  // -- showing errors --------------------------------------------------------------------

  function clearErrors() {
    form.querySelectorAll(".carehub-error-message").forEach(function (m) { m.remove(); });
    form.querySelectorAll(".carehub-field--error").forEach(function (f) { f.classList.remove("carehub-field--error"); });
    form.querySelectorAll("[aria-describedby]").forEach(function (c) {
      c.removeAttribute("aria-invalid");
      var described = (c.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return !/-error$/.test(id); });
      c.setAttribute("aria-describedby", described.join(" "));
    });
    summary.hidden = true;
    document.title = pageTitle;
  }

  function showErrors(errors) {
    var list = summary.querySelector("ul");
    list.innerHTML = "";
    errors.forEach(function (error) {
      var id = "f-" + error.path.replace(/[._]/g, "-");
      var field = document.getElementById(id);
      var target = field && field.tagName === "FIELDSET" ? field.querySelector("input, select, textarea") : field;
      var link = document.createElement("a");
      link.href = "#" + (target ? target.id : id);
      link.textContent = error.message;
      link.addEventListener("click", function (event) {
        if (!target) return;
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      });
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
      if (!field) return;
      var message = document.createElement("p");
      message.className = "carehub-error-message";
      message.id = id + "-error";
      var hidden = document.createElement("span");
      hidden.className = "ch-visually-hidden";
      hidden.textContent = "Error: ";
      message.appendChild(hidden);
      message.appendChild(document.createTextNode(error.message));
      var wrapper = field.closest("[data-field]") || field;
      wrapper.classList.add("carehub-field--error");
      var anchor = field.tagName === "FIELDSET" ? field.querySelector(".carehub-hint") || field.querySelector("legend") : wrapper.querySelector(".carehub-hint") || wrapper.querySelector("label");
      anchor.insertAdjacentElement("afterend", message);
      // A fieldset (radios, tick boxes) is described by its error, as in the GOV.UK design system;
      // aria-invalid belongs on single controls only.
      if (field.tagName !== "FIELDSET") field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + message.id).trim());
    });
    summary.hidden = false;
    document.title = "Error: " + pageTitle;
    summary.focus();
  }

  // -- writing the story file --------------------------------------------------------------

  function scalar(value, inFlow) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "object" && value && "raw" in value) return String(value.number);
    var text = String(value);
    var plain = PLAIN.test(text) && text === text.trim() && YAML_WORDS.indexOf(text.toLowerCase()) < 0 && !(inFlow && text.indexOf(",") >= 0);
    return plain ? text : JSON.stringify(text);
  }

  function wrap(text, indent) {
    var lines = [];
    var line = "";
    text.split(/\s+/).forEach(function (word) {
      if (!word) return;
      if (line && (indent + line + " " + word).length > WRAP) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(indent + line);
    return lines;
  }

  function emit(lines, key, value, indent, node) {
    node = unwrap(node) || {};
    if (Array.isArray(value) && value.length && value[0].prefix) {
      lines.push(indent + key + ":");
      var itemNode = unwrap(node.items);
      value.forEach(function (item) {
        var first = true;
        Object.keys(itemNode.properties).forEach(function (k) {
          if (item.value[k] === undefined) return;
          var sub = [];
          emit(sub, k, item.value[k], indent + "    ", itemNode.properties[k]);
          if (first) sub[0] = indent + "  - " + sub[0].slice(indent.length + 4);
          first = false;
          Array.prototype.push.apply(lines, sub);
        });
      });
    } else if (Array.isArray(value)) {
      lines.push(indent + key + ": [" + value.map(function (v) { return scalar(v, true); }).join(", ") + "]");
    } else if (value && typeof value === "object" && !("raw" in value)) {
      lines.push(indent + key + ":");
      Object.keys(node.properties).forEach(function (k) {
        if (value[k] !== undefined) emit(lines, k, value[k], indent + "  ", node.properties[k]);
      });
    } else if (node.format === "date") {
      lines.push(indent + key + ": " + value);
    } else if (typeof value === "string" && (node.maxLength || 0) >= LONG_TEXT_FROM && indent.length + key.length + value.length > WRAP - 2) {
      lines.push(indent + key + ": >-");
      value.split(/\n\s*\n/).filter(function (p) { return p.trim(); }).forEach(function (paragraph, index) {
        if (index) lines.push("");
        Array.prototype.push.apply(lines, wrap(paragraph, indent + "  "));
      });
    } else {
      lines.push(indent + key + ": " + scalar(value, false));
    }
  }

  function toMarkdown(meta) {
    var lines = ["---"];
    data.types[current].order.forEach(function (name) {
      if (meta[name] !== undefined) emit(lines, name, meta[name], "", lookup(current, name).node);
    });
    lines.push("---", "");
    var body = form.querySelector("#f-body").value.replace(/\r\n?/g, "\n").trim();
    return lines.join("\n") + "\n" + body + "\n";
  }

  function slugify(title) {
    var slug = title.replace(/['\u2019]/g, "").normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug.length > 60) {
      // Cut at a word: keep the whole first 60 characters when a word ends there, else up to the last hyphen.
      var cut = slug.slice(0, 60);
      if (slug[60] !== "-" && cut.indexOf("-") >= 0) cut = cut.slice(0, cut.lastIndexOf("-"));
      slug = cut;
    }
    return slug || "story";
  }

  function uniqueSlug(title) {
    var base = slugify(title);
    var slug = base;
    for (var n = 2; data.taken.indexOf(slug) >= 0; n++) slug = base + "-" + n;
    return slug;
  }

  // -- sending it ------------------------------------------------------------------------------

  function showResult(meta) {
    var markdown = toMarkdown(meta);
    var slug = uniqueSlug(meta.title);
    var folder = data.types[current].folder;
    prepared = { slug: slug, markdown: markdown, title: meta.title };
    markdownBox.value = markdown;
    document.getElementById("share-filename").textContent = "stories/" + folder + "/" + slug + ".md";
    var github = document.getElementById("share-github");
    if (github) {
      var url = data.newFileUrl + "stories/" + folder + "?filename=" + encodeURIComponent(slug + ".md") +
        "&value=" + encodeURIComponent(markdown);
      if (url.length > URL_LIMIT) {
        github.removeAttribute("href");
        github.setAttribute("aria-disabled", "true");
        github.textContent = "Too long to send through a link: download the file, then upload it on GitHub";
      } else {
        github.href = url;
        github.removeAttribute("aria-disabled");
        github.textContent = "Propose it on GitHub";
      }
    }
    document.getElementById("share-email").href = "mailto:" + data.mailbox +
      "?subject=" + encodeURIComponent("A story for the hub: " + meta.title) +
      "&body=" + encodeURIComponent("Please add this story to the hub. If the text below is cut short, " +
        "I will send the downloaded file instead.\n\n" + markdown);
    status.textContent = "";
    form.hidden = true;
    result.hidden = false;
    var heading = document.getElementById("share-result-title");
    heading.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var meta = current ? answers() : {};
    var errors = validate(meta);
    if (errors.length) showErrors(errors);
    else showResult(meta);
  });

  document.getElementById("share-edit").addEventListener("click", function () {
    result.hidden = true;
    form.hidden = false;
    var first = form.querySelector('input[name="type"]:checked') || form.querySelector("input, select, textarea");
    first.focus();
  });

  document.getElementById("share-copy").addEventListener("click", function () {
    function copied() { status.textContent = "Copied. Paste it into a new file named " + prepared.slug + ".md, or into an email."; }
    function fallback() {
      markdownBox.focus();
      markdownBox.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      status.textContent = ok ? "Copied." : "Select the text in the box and copy it with your keyboard or menu.";
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(prepared.markdown).then(copied, fallback);
    else fallback();
  });

  document.getElementById("share-download").addEventListener("click", function () {
    var blob = new Blob([prepared.markdown], { type: "text/markdown;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = prepared.slug + ".md";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    status.textContent = "Downloaded " + prepared.slug + ".md.";
  });
})();
