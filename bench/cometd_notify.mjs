// B4's peer: the official CometD JavaScript client (npm `cometd`) under Node, with the
// official adapter (npm `cometd-nodejs-client`), receiving the same flood as bench/notify.lua.
// The packages are the interop test's, pinned by spec/cometd/package-lock.json (one copy;
// `scripts/deps.sh bench` runs npm ci there).
//
// GET /api/v2/me with Basic auth gives the JSESSIONID cookie and the CSRF token, as for our
// client; CometD then handshakes on /api/v2/notifications with those (and the Authorization
// line, as our client sends it), subscribes to /v2/me/* (our client's topic) with a callback
// that counts NewMessages events and parses nothing further (CometD has decoded the batch),
// then, timed: POST /sim/flood of N events and the event loop runs until the callback has
// seen all N.
//
//   node bench/cometd_notify.mjs BASE_URL USER PASSWORD SESSION_ID N
// Prints {"events":N,"cpu":s,"wall":s,"polls":connects} (cpu: process.cpuUsage, user+sys of
// the whole Node process, every thread, around the timed part only).
//
// GET /me with node:http(s), not fetch: Headers.getSetCookie() is missing from Debian 12's
// Node 18.20 (see spec/cometd/http_get.mjs).
import { get, cookieLine } from "../spec/cometd/http_get.mjs";

const modules = new URL("../spec/cometd/node_modules/", import.meta.url);
const { adapt } = await import(new URL("cometd-nodejs-client/cometd-nodejs-client.js", modules));
const { CometD } = await import(new URL("cometd/cometd.js", modules));

const [base, user, password, session, nText] = process.argv.slice(2);
const want = Number(nText);
if (!base || !user || !password || !session || !(want > 0)) {
  console.error("usage: node bench/cometd_notify.mjs BASE_URL USER PASSWORD SESSION_ID N");
  process.exit(2);
}

function fail(what) {
  console.error("cometd notify: " + what);
  process.exit(1);
}

const auth = "Basic " + Buffer.from(user + ":" + password).toString("base64");
const me = await get(base + "/api/v2/me", { Authorization: auth });
if (me.statusCode !== 200) fail("GET /me: HTTP " + me.statusCode);
// Every cookie the server set (gws-sim sets AWSELB and JSESSIONID, as the vendor's balancer).
const cookie = cookieLine(me);
const tokenName = me.headers["x-csrf-header"] || "X-CSRF-TOKEN";
const token = me.headers["x-csrf-token"];
if (!cookie || !token) fail("GET /me gave no cookie or no CSRF token");

adapt();
const cometd = new CometD();
cometd.configure({
  url: base + "/api/v2/notifications",
  requestHeaders: { Authorization: auth, Cookie: cookie, [tokenName]: token },
  // One URL for every message, as GWS has (CometD would append /handshake, /connect, ...).
  appendMessageTypeToURL: false,
  logLevel: "warn",
});
// Long polling, as our client does (the simulator offers nothing else).
cometd.unregisterTransport("websocket");

// A flood that never arrives fails the run instead of hanging `make bench`.
const deadline = setTimeout(() => fail("timed out after 300 s with " + events + " events"), 300000);
deadline.unref();

let events = 0;
let polls = 0;
let timed = false;
let c0, w0;
let done;
const finished = new Promise((resolve) => { done = resolve; });

cometd.addListener("/meta/connect", (m) => {
  if (timed) polls++;
  if (!m.successful) fail("connect failed: " + JSON.stringify(m));
});

await new Promise((resolve) => {
  cometd.handshake((hs) => {
    if (!hs.successful) fail("handshake failed: " + JSON.stringify(hs));
    resolve();
  });
});
await new Promise((resolve) => {
  cometd.subscribe("/v2/me/*", (m) => {
    // The data as CometD hands it over; only the type is looked at, as c_floor does.
    if (m.data && m.data.notificationType === "NewMessages" && ++events === want) done();
  }, (reply) => {
    if (!reply.successful) fail("subscribe failed: " + JSON.stringify(reply));
    resolve();
  });
});

const cpu0 = process.cpuUsage();
w0 = performance.now();
c0 = cpu0;
timed = true;
const flood = await fetch(base + "/sim/flood", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ session, count: want, agent: user }),
});
const published = (await flood.json()).published;
if (flood.status !== 200 || published !== want) fail("flood failed: HTTP " + flood.status);
await finished;
const used = process.cpuUsage(c0);
const wall = (performance.now() - w0) / 1000;
timed = false;

await new Promise((resolve) => cometd.disconnect(() => resolve()));
process.stdout.write(JSON.stringify({
  events, cpu: (used.user + used.system) / 1e6, wall, polls,
}) + "\n");
process.exit(0);
