// The presenter's clicker on the Presentatie page (abcd.portrait.clicker).
//
// A clicker sends PageDown / PageUp (most) or the arrow keys; so does a
// keyboard. Right arrow and PageDown go to the next step, left arrow and
// PageUp to the previous one: sent to Python as the triggers "next" and
// "prev". Keys typed into a field (a text area, the date picker) or used by a
// widget that moves with arrows (a slider, a radio group) are left alone, and
// so is a held-down key's repeat. PageDown and PageUp, what most clickers send,
// are left only to widgets that page with them (a slider, a list): a button of
// a radio group (the "Stap voor stap" switch the presenter has just pressed,
// which keeps the focus) has no use for them. The listener goes when the story does.
const NEXT = new Set(["PageDown", "ArrowRight"]);
const PREV = new Set(["PageUp", "ArrowLeft"]);
const OWN_KEYS = /^(INPUT|TEXTAREA|SELECT)$/;
const OWN_ROLES = new Set(["slider", "radio", "radiogroup", "tab", "listbox", "option", "combobox", "spinbutton", "menuitem", "grid", "gridcell"]);
const PAGING_ROLES = new Set(["slider", "listbox", "option", "combobox", "spinbutton", "grid", "gridcell"]);

function ownsKeys(element, key) {
  const roles = key.startsWith("Page") ? PAGING_ROLES : OWN_ROLES;
  for (let el = element; el && el.nodeType === 1; el = el.parentElement) {
    if (el.isContentEditable || OWN_KEYS.test(el.tagName) || roles.has(el.getAttribute("role"))) return true;
  }
  return false;
}

export default function (component) {
  const { setTriggerValue, parentElement } = component;
  const doc = parentElement.ownerDocument || document;
  const onKey = (event) => {
    if (event.defaultPrevented || event.repeat || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const step = NEXT.has(event.key) ? "next" : PREV.has(event.key) ? "prev" : null;
    if (step === null) return;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (ownsKeys(target, event.key)) return;
    event.preventDefault(); // a step, not a scroll
    setTriggerValue(step, Date.now());
  };
  doc.addEventListener("keydown", onKey);
  return () => doc.removeEventListener("keydown", onKey);
}
