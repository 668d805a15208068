// Drives the web UI in headless Chromium, as an operator would:
//
//     node ui.mjs BASE_URL SCREENSHOT_DIR
//
// Run by crates/manager/tests/web.rs, which serves vigie's router on BASE_URL and answers the
// requests this script prints on stdout ("NEED alarm", "NEED event") by raising an alarm or
// storing an event in-process, so that the live updates are seen arriving without a reload.
// playwright-core is loaded from $VIGIE_UI_PEERS (see scripts/install-ui-peers.sh); the
// browser is $CHROMIUM (Debian's /usr/bin/chromium by default).
//
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.

import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error("usage: node ui.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
const peers = process.env.VIGIE_UI_PEERS;
const require = createRequire(join(peers, "package.json"));
const { chromium } = require("playwright-core");

const PASSWORD = "night-shift-3am";
const STEP_TIMEOUT = 10_000;
mkdirSync(shots, { recursive: true });

// Lines from the test harness ("DONE alarm", …), read from stdin.
const replies = [];
let waiting = null;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (waiting) {
    const resolve = waiting;
    waiting = null;
    resolve(line);
  } else {
    replies.push(line);
  }
});
function need(what) {
  console.log(`NEED ${what}`);
  return new Promise((resolve) => {
    if (replies.length) resolve(replies.shift());
    else waiting = resolve;
  });
}

let step = "start";
function check(condition, message) {
  if (!condition) throw new Error(message);
}
async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
// A marker that survives only as long as the page is not reloaded.
async function mark(page) {
  await page.evaluate(() => { window.__vigieNoReload = true; });
}
async function notReloaded(page) {
  check(await page.evaluate(() => window.__vigieNoReload === true), "the page was reloaded");
}
// Every visible form control has a label (or an aria-label).
async function labelled(page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && !el.hidden)
      .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label"))
      .map((el) => el.name || el.id));
  check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(", ")}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));

  step = "first start asks for the admin password";
  await page.goto(`${base}/`);
  check(new URL(page.url()).pathname === "/setup", `landed on ${page.url()}`);
  await page.getByRole("heading", { name: "Set the admin password" }).waitFor();
  await labelled(page);
  await shot(page, "setup");
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password and log in" }).click();
  await page.waitForURL(`${base}/status`);

  step = "status page";
  await page.getByRole("heading", { name: "Central Management" }).waitFor();
  await page.locator('#components tr[data-component="receiver"] .badge.up').waitFor();
  await page.locator('#components tr[data-component="smtp relay"] .badge.down').waitFor();
  const reason = await page.locator('#components tr[data-component="smtp relay"] .reason').textContent();
  check(reason.includes("535"), `reason shown: ${reason}`);
  await shot(page, "status");

  step = "keyboard: the first Tab reaches the skip link";
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  check(focused === "Skip to content", `first focus: ${focused}`);

  step = "logout";
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${base}/login`);
  await page.goto(`${base}/status`);
  check(new URL(page.url()).pathname === "/login", `after logout, /status led to ${page.url()}`);
  await labelled(page);
  await shot(page, "login");

  step = "a wrong password is refused";
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong user name or password" }).waitFor();
  check(new URL(page.url()).pathname === "/login", `wrong password led to ${page.url()}`);
  await shot(page, "login-refused");

  step = "log in";
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/status`);

  step = "a form post without the CSRF token is refused";
  const forged = await page.request.post(`${base}/devices`, {
    form: { name: "forged", address: "192.0.2.66", community: "x" },
    maxRedirects: 0,
  });
  check(forged.status() === 403, `forged post answered ${forged.status()}`);

  step = "an alarm appears live on the Alarms page";
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alarms" }).click();
  await page.waitForURL(`${base}/alarms`);
  await page.getByText("No alarm matches.").waitFor();
  await mark(page);
  await need("alarm");
  const row = page.locator("#alarms tr[data-alarm]").filter({ hasText: "linkDown" });
  await row.waitFor();
  await notReloaded(page);
  await row.locator(".badge.st-active").waitFor();
  await labelled(page);
  await shot(page, "alarms");

  step = "acknowledge from the page";
  await row.getByRole("button", { name: /^Acknowledge alarm/ }).click();
  await page.locator("#alarms tr[data-alarm] .badge.st-acknowledged").waitFor();
  const by = await page.locator("#alarms tr[data-alarm]").first().textContent();
  check(by.includes("by admin"), `acknowledged row: ${by}`);

  step = "clear from the page";
  await page.locator("#alarms tr[data-alarm]").first().getByRole("button", { name: /^Clear alarm/ }).click();
  await page.getByText("No alarm matches.").waitFor();
  await page.getByLabel("State").selectOption("any");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator("#alarms tr[data-alarm] .badge.st-cleared").waitFor();

  step = "alarm history";
  await page.locator("#alarms tr[data-alarm] a").first().click();
  await page.locator("#history").waitFor();
  const history = await page.locator("#history tbody").textContent();
  for (const action of ["raised", "acknowledged", "cleared"]) {
    check(history.includes(action), `history lacks ${action}: ${history}`);
  }
  await shot(page, "alarm");

  step = "an event appears live on the Events page";
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await page.waitForURL(`${base}/events`);
  await mark(page);
  await need("event");
  const event = page.locator("#events tr[data-event]").filter({ hasText: "1.3.6.1.6.3.1.1.5.3" });
  await event.waitFor();
  await notReloaded(page);
  await shot(page, "events");

  step = "add a device";
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
  await page.waitForURL(`${base}/devices`);
  await labelled(page);
  await page.getByLabel("Name").fill("core-sw1");
  await page.getByLabel("IP address").fill("192.0.2.10");
  await page.getByLabel("Community (v1, v2c)").fill("s3cret-community");
  await page.getByRole("button", { name: "Add device" }).click();
  await page.getByText("Device core-sw1 added.").waitFor();
  const devices = await page.content();
  check(!devices.includes("s3cret-community"), "the community is shown back");
  await shot(page, "devices");
  await page.getByRole("link", { name: "core-sw1" }).click();
  await page.getByRole("heading", { name: "core-sw1" }).waitFor();
  await page.locator("#interfaces").waitFor();
  await labelled(page);
  await shot(page, "device");

  if (process.env.RELAY_OK_PORT) {
    step = "SMTP configuration";
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SMTP configuration" }).click();
    await page.waitForURL(`${base}/settings/smtp`);
    await labelled(page);
    await page.getByLabel("SMTP server").fill("127.0.0.1");
    await page.getByLabel("Port").fill(process.env.RELAY_OK_PORT);
    await page.getByLabel("Encryption").selectOption("none");
    await page.getByLabel("From address").fill("vigie@example.net");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Applied.").waitFor();
    await shot(page, "smtp");

    step = "Add New Action → Email, with a preview";
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules & Actions" }).click();
    await page.waitForURL(`${base}/response/actions`);
    await page.getByRole("link", { name: "Add New Action → Email" }).click();
    await labelled(page);
    await page.getByLabel("Name").fill("noc-mail");
    await page.getByLabel("To").fill("noc@example.net");
    await page.getByLabel("Subject").fill("[vigie] {{ severity | upper }} on {{ device }}");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator("#preview-subject").filter({ hasText: "[vigie] MAJOR on sample-switch" }).waitFor();
    await shot(page, "action-email");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action noc-mail added.").waitFor();

    step = "Test Action: success banner";
    const menu = page.locator('tr[data-action="noc-mail"]');
    await menu.getByLabel("Menu of action noc-mail").click();
    await menu.getByRole("button", { name: "Test Action" }).click();
    await page.locator("#test-result.success").filter({ hasText: "Test Action succeeded" }).waitFor();
    await shot(page, "test-action-success");

    step = "Test Action: failure banner with the classified cause and its fix";
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SMTP configuration" }).click();
    await page.getByLabel("Port").fill(process.env.RELAY_BAD_PORT);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Applied.").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules & Actions" }).click();
    await page.locator('tr[data-action="noc-mail"]').getByLabel("Menu of action noc-mail").click();
    await page.locator('tr[data-action="noc-mail"]').getByRole("button", { name: "Test Action" }).click();
    const failure = page.locator("#test-result.error");
    await failure.filter({ hasText: "Test Action failed" }).waitFor();
    const text = await failure.textContent();
    check(text.includes("554") && text.includes("Fix:"), `failure banner: ${text}`);
    await failure.getByRole("link", { name: "Open the troubleshooting log" }).waitFor();
    await shot(page, "test-action-failure");

    step = "Rules tab, troubleshooting log, Trust Store";
    await page.getByRole("link", { name: "Rules", exact: true }).click();
    await page.waitForURL(`${base}/response/rules`);
    await shot(page, "rules");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Troubleshooting log" }).click();
    await page.waitForURL(`${base}/response/log`);
    await shot(page, "log");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trust Store" }).click();
    await page.waitForURL(`${base}/settings/trust`);
    await labelled(page);
    await shot(page, "trust");

    step = "Trust Store: capture the relay's chain and import its CA";
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SMTP configuration" }).click();
    await page.getByLabel("Port").fill(process.env.RELAY_TLS_PORT);
    await page.getByLabel("Encryption").selectOption("starttls");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Applied.").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trust Store" }).click();
    await page.getByRole("button", { name: "Capture the chain" }).click();
    const captured = page.locator("#captured");
    await captured.getByText("not trusted").waitFor();
    await shot(page, "trust-captured");
    await captured.getByRole("button", { name: /^Import .*vigie test CA/ }).click();
    await page.getByRole("status").filter({ hasText: "Imported" }).waitFor();
    await page.locator("#trust tr[data-certificate]").first().waitFor();

    step = "Test Action over STARTTLS once the CA is trusted";
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules & Actions" }).click();
    await page.locator('tr[data-action="noc-mail"]').getByLabel("Menu of action noc-mail").click();
    await page.locator('tr[data-action="noc-mail"]').getByRole("button", { name: "Test Action" }).click();
    await page.locator("#test-result.success").filter({ hasText: "Test Action succeeded" }).waitFor();
  }

  step = "phone width";
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [["/status", "status-phone"], ["/alarms?state=any", "alarms-phone"],
                              ["/events", "events-phone"], ["/devices", "devices-phone"]]) {
    await page.goto(`${base}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
    await shot(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  step = "no script errors";
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);

  step = "log out at the end";
  await page.goto(`${base}/status`);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${base}/login`);
  console.log("PASS");
} catch (error) {
  failed = true;
  console.log(`FAIL ${step}: ${error.message.split("\n")[0]}`);
  console.error(error);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
