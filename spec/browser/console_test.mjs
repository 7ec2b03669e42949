// The customer console in a real browser: Debian's chromium, headless, driven over the
// DevTools protocol. Starts gws-sim and the echo bot (bin/gws-sms bot examples/bots/echo.lua),
// opens /sim/ui/, starts a conversation as a customer, types a message, and checks that the
// bot's replies, the session list and the agent list appear on the page; saves a screenshot.
//
//   node spec/browser/console_test.mjs [--build build] [--chromium /usr/bin/chromium]
//
// Needs only Node and chromium: the protocol goes over --remote-debugging-pipe (NUL-framed
// JSON on file descriptors 3 and 4), so no npm package and no WebSocket client are needed.
// Exit status 0 when every check passed; 1 with the reason on stderr otherwise.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => {
    if (a.startsWith("--")) pairs.push([a.slice(2), all[i + 1]]);
    return pairs;
  }, []));
const BUILD = args.build || "build";
const CHROMIUM = args.chromium || "/usr/bin/chromium";
const SCREENSHOT = join(BUILD, "console.png");
const TIMEOUT_MS = 20000;

const children = [];
let tmpProfile = null;

function log(line) { process.stdout.write(`browser: ${line}\n`); }

function cleanup() {
  for (const c of children.reverse()) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  }
  // chromium may still be writing its profile as it dies: retry while the directory fills.
  if (tmpProfile) {
    try { rmSync(tmpProfile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }); } catch (e) { /* tmp */ }
    tmpProfile = null;
  }
}

let failed = false;
function fail(message) {
  if (failed) return;
  failed = true;
  process.stderr.write(`browser: FAILED: ${message}\n`);
  cleanup();
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = TIMEOUT_MS) {
  // A check that throws (say, while the page navigates) counts as "not yet".
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      fail(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ""}`);
    }
    await sleep(100);
  }
}

// Starts a process and resolves with {child, match} once a line of its stdout matches `re`.
function start(name, cmd, argv, env, re) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "", err = "";
    const timer = setTimeout(() => fail(`${name} printed no ${re} within ${TIMEOUT_MS} ms:\n${out}${err}`), TIMEOUT_MS);
    child.stderr.on("data", (d) => { err += d; });
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(re);
      if (m && timer) { clearTimeout(timer); resolve({ child, match: m, output: () => out + err }); }
    });
    child.on("exit", (code) => {
      if (!out.match(re)) fail(`${name} exited (${code}) before ${re}:\n${out}${err}`);
    });
  });
}

// ------------------------------------------------------------------------------ DevTools

class DevTools {
  constructor(child) {
    this.next = 1;
    this.pending = new Map();
    this.handlers = [];
    this.buffer = "";
    this.out = child.stdio[3];
    child.stdio[4].on("data", (d) => this.receive(d));
  }

  receive(data) {
    this.buffer += data.toString("utf8");
    let nul;
    while ((nul = this.buffer.indexOf("\0")) >= 0) {
      const msg = JSON.parse(this.buffer.slice(0, nul));
      this.buffer = this.buffer.slice(nul + 1);
      if (msg.id && this.pending.has(msg.id)) {
        const { resolve, reject, method } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const h of this.handlers) h(msg);
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.out.write(JSON.stringify(msg) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }
}

// One page: evaluate expressions, type like a user, take screenshots.
class Page {
  constructor(cdp, sessionId) { this.cdp = cdp; this.sessionId = sessionId; }
  send(method, params) { return this.cdp.send(method, params, this.sessionId); }

  async eval(expression) {
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    return r.result.value;
  }

  // Focuses a field and types into it as keyboard input (input events fire as for a person).
  async type(selector, text) {
    const ok = await this.eval(`(() => { const e = document.querySelector(${JSON.stringify(selector)});
      if (!e || e.disabled) return false; e.focus(); e.select && e.select(); return true; })()`);
    if (!ok) fail(`${selector} is missing or disabled`);
    await this.send("Input.insertText", { text });
  }

  async click(selector) {
    const ok = await this.eval(`(() => { const e = document.querySelector(${JSON.stringify(selector)});
      if (!e || e.disabled) return false; e.click(); return true; })()`);
    if (!ok) fail(`${selector} is missing or disabled`);
  }

  async pressEnter() {
    for (const type of ["keyDown", "keyUp"]) {
      await this.send("Input.dispatchKeyEvent", { type, key: "Enter", code: "Enter",
        windowsVirtualKeyCode: 13, text: type === "keyDown" ? "\r" : undefined });
    }
  }

  // Texts of the elements matching a selector.
  texts(selector) {
    return this.eval(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.textContent)`);
  }
}

// ------------------------------------------------------------------------------ the test

async function main() {
  const sim = await start("gws-sim", join(BUILD, "gws-sim"), ["--port", "0"], {}, /^listening on (\S+)$/m);
  const url = sim.match[1];
  log(`gws-sim at ${url}`);

  const bot = await start("gws-sms bot", "bin/gws-sms", ["bot", "examples/bots/echo.lua"], {
    GWS_URL: url, GWS_USER: "agent1", GWS_PASSWORD: "password", LUA_CPATH: `./${BUILD}/?.so;;`,
  }, /ready as agent1/);
  log("echo bot ready as agent1");

  tmpProfile = mkdtempSync(join(tmpdir(), "gws-console-"));
  const chrome = spawn(CHROMIUM, [
    "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
    "--disable-background-networking", "--disable-sync", "--mute-audio",
    `--user-data-dir=${tmpProfile}`, "--window-size=1400,900", "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  children.push(chrome);
  let done = false;
  let chromeErr = "";
  chrome.stderr.on("data", (d) => { chromeErr += d; });
  chrome.on("exit", (code) => { if (!done) fail(`chromium exited (${code}):\n${chromeErr.slice(-2000)}`); });

  const cdp = new DevTools(chrome);
  const version = await cdp.send("Browser.getVersion");
  log(`${version.product} (headless)`);
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  const page = new Page(cdp, sessionId);

  // Any uncaught error or console.error on the page fails the test.
  const pageErrors = [];
  cdp.handlers.push((msg) => {
    if (msg.sessionId !== sessionId) return;
    if (msg.method === "Runtime.exceptionThrown") {
      pageErrors.push(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
    } else if (msg.method === "Runtime.consoleAPICalled" && msg.params.type === "error") {
      pageErrors.push(msg.params.args.map((a) => a.value ?? a.description).join(" "));
    } else if (msg.method === "Log.entryAdded" && msg.params.entry.level === "error") {
      pageErrors.push(`${msg.params.entry.text} ${msg.params.entry.url || ""}`);
    }
  });
  await page.send("Runtime.enable");
  await page.send("Log.enable");
  await page.send("Page.enable");
  await page.send("Emulation.setDeviceMetricsOverride", { width: 1400, height: 900, deviceScaleFactor: 1, mobile: false });

  // From the simulator's front page to the console by its link, as a person would.
  await page.send("Page.navigate", { url: `${url}/` });
  await until("the link to the console", () => page.eval(`!!document.querySelector('a[href="/sim/ui/"]')`));
  await page.click('a[href="/sim/ui/"]');
  await until("the console to go live", () => page.eval(`!!document.getElementById("status")?.textContent.startsWith("live")`));
  log("console loaded and polling");

  await until("agent1 listed as Ready", async () => (await page.texts("#agents li")).some((t) => t.startsWith("agent1") && t.endsWith("Ready")));

  // Start a conversation routed to any Ready agent: the bot's agent1 is the only one.
  await page.type('#start-form [name="nickname"]', "Browser Customer");
  await page.type('#start-form [name="text"]', "Hello from a real browser");
  await page.click("#start-button");
  await until("the bot's greeting", async () => (await page.texts("#transcript li.agent .bubble")).some((t) => t.startsWith("Hello Browser Customer")));
  await until("the echo of the first text", async () => (await page.texts("#transcript li.agent .bubble")).includes("You said: Hello from a real browser"));
  log("conversation started; the bot greeted and echoed the first text");

  // A message typed into the chat box and sent with Enter.
  await page.type("#say-text", "Is anyone reading this?");
  await page.pressEnter();
  await until("the customer's message in the transcript", async () => (await page.texts("#transcript li.customer .bubble")).includes("Is anyone reading this?"));
  // The bot types for half a second before it answers; a poll may or may not land in it, so
  // the indicator is reported, not required.
  let sawTyping = false;
  await until("the bot's reply", async () => {
    const [typing, replies] = await Promise.all([
      page.eval(`document.getElementById("typing").textContent`),
      page.texts("#transcript li.agent .bubble")]);
    sawTyping ||= typing.includes("EchoBot is typing");
    return replies.includes("You said: Is anyone reading this?");
  });
  log("the bot's reply appeared on the page");
  log(sawTyping ? "the typing indicator showed \"EchoBot is typing…\" before the reply"
                : "(the typing indicator came and went between two polls)");

  const rows = await page.texts("#session-rows tr");
  if (!rows.some((r) => r.includes("Chatting") && r.includes("Agent EchoBot") && r.includes("Customer Browser Customer"))) {
    fail(`the session list does not show the conversation as Chatting with EchoBot: ${JSON.stringify(rows)}`);
  }
  if (pageErrors.length) fail(`errors on the page: ${pageErrors.join("; ")}`);

  mkdirSync(BUILD, { recursive: true });
  const shot = await page.send("Page.captureScreenshot", { format: "png" });
  writeFileSync(SCREENSHOT, Buffer.from(shot.data, "base64"));
  log(`screenshot: ${SCREENSHOT}`);

  // Leaving ends the conversation: the bot completes it.
  await page.click("#leave-button");
  await until("the session to be Completed", async () => (await page.texts("#session-rows tr")).some((r) => r.includes("Completed")));
  log("customer left; the bot completed the session");
  if (pageErrors.length) fail(`errors on the page: ${pageErrors.join("; ")}`);
  if (bot.child.exitCode !== null) fail(`the bot exited early:\n${bot.output()}`);

  done = true;
  await cdp.send("Browser.close").catch(() => {});
  cleanup();
  log("OK");
}

process.on("unhandledRejection", (e) => fail(e && e.stack ? e.stack : String(e)));
main().catch((e) => fail(e.stack || String(e)));
