// GET with node:http(s), not fetch, for the two CometD peers (spec/cometd/interop.mjs and
// bench/cometd_notify.mjs): node:http gives Set-Cookie as an array on every Node, while
// fetch's Headers.getSetCookie() is missing from Debian 12's Node 18.20, where the cookies
// (AWSELB, JSESSIONID) would be lost and every handshake refused with 403.
import http from "node:http";
import https from "node:https";

// Resolves with the response (statusCode, headers; the body read and dropped) once it ends.
export function get(url, headers) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    client.get(url, { headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    }).on("error", reject);
  });
}

// The cookies a response set, as one Cookie request line ("" when it set none).
export function cookieLine(res) {
  return (res.headers["set-cookie"] || []).map((c) => c.split(";")[0]).join("; ");
}
