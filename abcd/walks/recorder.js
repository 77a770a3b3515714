// The walk recorder (abcd.walks.widget): the phone's positions while the page is open.
//
// Positions are kept in localStorage as they come, so a rerun, a reload or a
// phone that drops the connection loses nothing; "Stop" sends them to Python
// as the trigger value "stop" ({token, positions}). Python passes back the
// tokens it stored (data.saved), and only then is the walk forgotten here.
// Every text comes from Python (data.labels) and is set as text, never as HTML.
const KEY = "abcd.walk.v1";

function load() {
  try {
    return JSON.parse(window.localStorage.getItem(KEY)) || null;
  } catch (e) {
    return null;
  }
}

function save(walk) {
  if (walk) {
    window.localStorage.setItem(KEY, JSON.stringify(walk));
  } else {
    window.localStorage.removeItem(KEY);
  }
}

function metres(positions) {
  // Haversine over the positions accurate to 50 m (what Python keeps, roughly): for the display only.
  let total = 0;
  let last = null;
  for (const p of positions) {
    if (p[3] !== null && p[3] > 50) continue;
    if (last) {
      const rad = Math.PI / 180;
      const dLat = (p[2] - last[2]) * rad;
      const dLon = (p[1] - last[1]) * rad;
      const a = Math.sin(dLat / 2) ** 2 + Math.cos(last[2] * rad) * Math.cos(p[2] * rad) * Math.sin(dLon / 2) ** 2;
      total += 2 * 6371000 * Math.asin(Math.sqrt(a));
    }
    last = p;
  }
  return total;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".abcd-walk");
  const labels = data.labels;
  // One recorder per element: Streamlit calls this function again on every rerun.
  const state = root.__abcdWalk || (root.__abcdWalk = { watch: null, wake: null });
  const [start, stop, resend, discard] = ["start", "stop", "resend", "discard"].map((name) =>
    root.querySelector(`[data-action="${name}"]`),
  );
  const status = root.querySelector(".abcd-walk-status");

  let walk = load();
  if (walk && walk.state === "sent" && (data.saved || []).includes(walk.token)) {
    walk = null; // stored by Python: forget it here
    save(null);
  }

  function show() {
    start.textContent = walk && walk.state === "recording" ? labels.recording : labels.start;
    stop.textContent = labels.stop;
    resend.textContent = labels.resend;
    discard.textContent = labels.discard;
    start.disabled = Boolean(walk && walk.state !== "idle");
    stop.disabled = !(walk && walk.state === "recording");
    resend.hidden = discard.hidden = !(walk && walk.state === "sent");
    start.hidden = stop.hidden = false; // labelled now (hidden until then: see widget.py)
    if (!walk) {
      status.textContent = labels.idle;
    } else {
      const km = (metres(walk.positions) / 1000).toFixed(2);
      status.textContent = labels.status.replace("{count}", walk.positions.length).replace("{distance}", km);
    }
  }

  function watch() {
    if (state.watch !== null || !navigator.geolocation) return;
    state.watch = navigator.geolocation.watchPosition(
      (position) => {
        const c = position.coords;
        walk.positions.push([
          position.timestamp,
          Math.round(c.longitude * 1e6) / 1e6,
          Math.round(c.latitude * 1e6) / 1e6,
          c.accuracy === null ? null : Math.round(c.accuracy * 10) / 10,
        ]);
        save(walk);
        show();
      },
      () => {
        status.textContent = labels.denied;
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 },
    );
    if (navigator.wakeLock) {
      // Keep the screen on while recording: a sleeping phone stops sending positions.
      navigator.wakeLock.request("screen").then((lock) => (state.wake = lock), () => null);
    }
  }

  function unwatch() {
    if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
    state.watch = null;
    if (state.wake) state.wake.release().catch(() => null);
    state.wake = null;
  }

  function send() {
    walk.state = "sent";
    save(walk);
    show();
    setTriggerValue("stop", { token: walk.token, positions: walk.positions });
  }

  start.onclick = () => {
    const token = (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now())).slice(0, 64);
    walk = { token: token, state: "recording", positions: [] };
    save(walk);
    watch();
    show();
  };
  stop.onclick = () => {
    unwatch();
    send();
  };
  resend.onclick = send;
  discard.onclick = () => {
    walk = null;
    save(null);
    show();
  };

  if (walk && walk.state === "recording") watch(); // after a reload: carry on where it was
  show();
  return () => unwatch();
}
