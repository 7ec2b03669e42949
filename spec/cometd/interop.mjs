// The official CometD JavaScript client (npm `cometd`, run in Node by `cometd-nodejs-client`),
// in its default configuration, against gws-sim: handshake, subscribe to /v2/me/*, print the
// first event message. Run by spec/interop/cometd_interop_spec.lua (make interop, make check):
//
//   node spec/cometd/interop.mjs http://127.0.0.1:PORT agent1 password
//
// Prints one JSON line per step on stdout: {"step":"subscribed",…}, then {"step":"message",
// "message":{…}} and exits 0. A failed handshake is printed ({"step":"handshake_failed",…})
// and left to the CometD client, which retries as its defaults say (the next transport, then
// backoff); a failed subscribe prints {"step":"failed",…} and exits 1; {"step":"timeout"}
// exits 2 after TIMEOUT_MS. Only the GWS parts the CometD client cannot know are done by hand:
// HTTP Basic credentials and the CSRF token (GET /api/v2/me), passed as request headers.
import { adapt } from "cometd-nodejs-client";
import { CometD } from "cometd";
import { get, cookieLine } from "./http_get.mjs";

const [base, user, password] = process.argv.slice(2);
const TIMEOUT_MS = Number(process.env.INTEROP_TIMEOUT_MS || 15000);

function say(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

const timer = setTimeout(() => { say({ step: "timeout" }); process.exit(2); }, TIMEOUT_MS);

adapt();
const authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
// GET /api/v2/me with node:http(s), not fetch: see http_get.mjs (Debian 12's Node 18).
const me = await get(`${base}/api/v2/me`, { Authorization: authorization });
const headers = { Authorization: authorization };
const tokenName = me.headers["x-csrf-header"];
if (tokenName) headers[tokenName] = me.headers["x-csrf-token"];
const cookie = cookieLine(me);
if (cookie) headers.Cookie = cookie;

const cometd = new CometD();
cometd.configure({ url: `${base}/api/v2/notifications`, requestHeaders: headers });
cometd.handshake((reply) => {
  if (!reply.successful) {
    const f = reply.failure || {};
    say({ step: "handshake_failed", connectionType: f.connectionType, httpCode: f.httpCode, reason: f.reason });
    return;
  }
  cometd.subscribe("/v2/me/*", (message) => {
    say({ step: "message", transport: cometd.getTransport().type, message });
    clearTimeout(timer);
    cometd.disconnect(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }, (sub) => {
    if (!sub.successful) {
      say({ step: "failed", during: "subscribe", error: sub.error, channel: sub.subscription });
      process.exit(1);
    }
    say({ step: "subscribed", transport: cometd.getTransport().type });
  });
});
