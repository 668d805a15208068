// Drives the web UI in headless Chromium, as an operator would:
//
//     node ui.mjs BASE_URL SCREENSHOT_DIR
//
// Run by crates/manager/tests/web.rs, which serves vigie's router on BASE_URL and answers the
// requests this script prints on stdout ("NEED alarm", "NEED event", "NEED trap") by raising
// an alarm or storing an event in-process, or by sending a linkDown with Net-SNMP's snmptrap
// to the receiver it runs ("SKIP trap" without snmptrap), so that the live updates are seen
// arriving without a reload.
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
// Each step's duration, on stdout (the harness keeps it in the transcript).
let stepStarted = Date.now();
function begin(name) {
  console.log(`STEP ${Date.now() - stepStarted} ms: ${step}`);
  stepStarted = Date.now();
  return name;
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
// Add New Action → KIND, from the Actions tab.
async function addNew(page, kind) {
  await page.goto(`${base}/response/actions`);
  await page.locator("#add-action summary").click();
  await page.locator("#add-action").getByRole("link", { name: kind, exact: true }).click();
  await page.getByRole("heading", { name: `Add New Action → ${kind}` }).waitFor();
}
// Opens the "…" menu of an action's row, with the keyboard.
async function openMenu(page, name) {
  await page.goto(`${base}/response/actions`);
  await page.locator(`tr[data-action="${name}"]`).getByLabel(`Menu of action ${name}`).focus();
  await page.keyboard.press("Enter");
}
// "…" → Test Action on an action; waits for the banner of the expected kind.
async function testAction(page, name, kind) {
  await openMenu(page, name);
  await page.locator(`tr[data-action="${name}"]`).getByRole("button", { name: "Test Action" }).click();
  const banner = page.locator(`#test-result.${kind}`);
  await banner.waitFor();
  const text = await banner.textContent();
  check(text.includes(name), `banner of ${name}: ${text}`);
  if (kind === "error") {
    check(text.includes("Fix:"), `failure banner without a fix: ${text}`);
    await banner.getByRole("link", { name: "Open the troubleshooting log" }).waitFor();
  }
  return text;
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

  step = begin("first start asks for the setup code and the admin password");
  await page.goto(`${base}/`);
  check(new URL(page.url()).pathname === "/setup", `landed on ${page.url()}`);
  await page.getByRole("heading", { name: "Set the admin password" }).waitFor();
  await labelled(page);
  await shot(page, "setup");
  await page.getByLabel("Setup code").fill("not-the-code-at-all-1234");
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password and log in" }).click();
  await page.getByText("Wrong setup code").waitFor();
  await page.getByLabel("Setup code").fill(process.env.VIGIE_SETUP_CODE);
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password and log in" }).click();
  await page.waitForURL(`${base}/status`);

  step = begin("status page");
  await page.getByRole("heading", { name: "Central Management" }).waitFor();
  await page.locator('#components tr[data-component="receiver"] .badge.up').waitFor();
  await page.locator('#components tr[data-component="smtp relay"] .badge.down').waitFor();
  const reason = await page.locator('#components tr[data-component="smtp relay"] .reason').textContent();
  check(reason.includes("535"), `reason shown: ${reason}`);
  await shot(page, "status");

  step = begin("keyboard: the first Tab reaches the skip link");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  check(focused === "Skip to content", `first focus: ${focused}`);

  step = begin("logout");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${base}/login`);
  await page.goto(`${base}/status`);
  check(new URL(page.url()).pathname === "/login", `after logout, /status led to ${page.url()}`);
  await labelled(page);
  await shot(page, "login");

  step = begin("a wrong password is refused");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong user name or password" }).waitFor();
  check(new URL(page.url()).pathname === "/login", `wrong password led to ${page.url()}`);
  await shot(page, "login-refused");

  step = begin("log in");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/status`);

  step = begin("a form post without the CSRF token is refused");
  const forged = await page.request.post(`${base}/devices`, {
    form: { name: "forged", address: "192.0.2.66", community: "x" },
    maxRedirects: 0,
  });
  check(forged.status() === 403, `forged post answered ${forged.status()}`);

  step = begin("an alarm appears live on the Alarms page");
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

  step = begin("acknowledge from the page");
  await row.getByRole("button", { name: /^Acknowledge alarm/ }).click();
  await page.locator("#alarms tr[data-alarm] .badge.st-acknowledged").waitFor();
  const by = await page.locator("#alarms tr[data-alarm]").first().textContent();
  check(by.includes("by admin"), `acknowledged row: ${by}`);

  step = begin("clear from the page");
  await page.locator("#alarms tr[data-alarm]").first().getByRole("button", { name: /^Clear alarm/ }).click();
  await page.getByText("No alarm matches.").waitFor();
  await page.getByLabel("State").selectOption("any");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator("#alarms tr[data-alarm] .badge.st-cleared").waitFor();

  step = begin("alarm history");
  await page.locator("#alarms tr[data-alarm] a").first().click();
  await page.locator("#history").waitFor();
  const history = await page.locator("#history tbody").textContent();
  for (const action of ["raised", "acknowledged", "cleared"]) {
    check(history.includes(action), `history lacks ${action}: ${history}`);
  }
  await shot(page, "alarm");

  step = begin("a linkDown from Net-SNMP's snmptrap appears live");
  await page.goto(`${base}/alarms`);
  await page.getByText("No alarm matches.").waitFor();
  await mark(page);
  const sent = await need("trap");
  if (sent === "DONE trap") {
    const trapped = page.locator("#alarms tr[data-alarm]").filter({ hasText: "linkDown", hasNotText: "edge-r1" });
    await trapped.waitFor();
    await notReloaded(page);
    await trapped.locator(".badge.sev-major").waitFor();
    await shot(page, "alarms-snmptrap");
  }

  step = begin("an event appears live on the Events page");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await page.waitForURL(`${base}/events`);
  await mark(page);
  await need("event");
  // The snmptrap step's linkDown came from 127.0.0.1; this one from 192.0.2.1.
  const event = page.locator("#events tr[data-event]").filter({ hasText: "1.3.6.1.6.3.1.1.5.3" })
    .filter({ hasText: "192.0.2.1" });
  await event.waitFor();
  await notReloaded(page);
  await shot(page, "events");

  step = begin("add a device");
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

  if (process.env.SNMPD_PORT) {
    step = begin("a polled snmpd: interfaces with a traffic chart, redrawn live");
    await page.goto(`${base}/devices`);
    await page.getByLabel("Name", { exact: true }).fill("snmpd");
    await page.getByLabel("IP address").fill("127.0.0.1");
    await page.getByLabel("SNMP port").fill(process.env.SNMPD_PORT);
    await page.getByLabel("Community (v1, v2c)").fill("public");
    await page.getByRole("button", { name: "Add device" }).click();
    await page.getByRole("link", { name: "snmpd", exact: true }).click();
    await page.getByRole("heading", { name: "snmpd" }).waitFor();
    await page.getByRole("button", { name: "Poll now" }).click();
    await page.getByText(/^Polled in/).waitFor();
    // Rates need two polls, a line two rates: two more polls, each seen by a page load.
    const devicePath = new URL(page.url()).pathname;
    const token = await page.locator('input[name="csrf"]').first().inputValue();
    const pollNow = async () => {
      const answer = await page.request.post(`${base}${devicePath}/poll`, { form: { csrf: token }, maxRedirects: 0 });
      check(answer.status() === 303, `Poll now answered ${answer.status()}`);
    };
    for (let poll = 0; poll < 2; poll += 1) {
      await pollNow();
      await page.goto(`${base}${devicePath}`);
    }
    const chart = page.locator('#interfaces tr[data-interface="1"] svg.traffic');
    await chart.waitFor();
    // The poller's own schedule may add a poll between the forced ones: count, do not assume.
    const pointsOf = (label) => Number((/; (\d+) polls$/.exec(label ?? "") ?? [])[1] ?? 0);
    const before = await chart.getAttribute("aria-label");
    check(pointsOf(before) >= 2, `chart: ${before}`);
    await mark(page);
    // One more poll, drawn by the table's 5-second refresh without a reload.
    await pollNow();
    const seen = pointsOf(before);
    const deadline = Date.now() + 15000;
    let after = before;
    while (pointsOf(after) <= seen) {
      check(Date.now() < deadline, `the chart was not redrawn: ${after}`);
      await page.waitForTimeout(250);
      after = await chart.getAttribute("aria-label");
    }
    await notReloaded(page);
    await shot(page, "device-traffic");
  }

  if (process.env.RELAY_OK_PORT) {
    step = begin("SMTP configuration");
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

    step = begin("Add New Action → Email, with a preview");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules & Actions" }).click();
    await page.waitForURL(`${base}/response/actions`);
    await addNew(page, "Email");
    await labelled(page);
    await page.getByLabel("Name").fill("noc-mail");
    await page.getByLabel("To").fill("noc@example.net");
    await page.getByLabel("Subject").fill("[vigie] {{ severity | upper }} on {{ device }}");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator("#preview-subject").filter({ hasText: "[vigie] MAJOR on sample-switch" }).waitFor();
    await shot(page, "action-email");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action noc-mail added.").waitFor();

    step = begin("Edit an e-mail action: the form comes back filled, the name stays");
    await openMenu(page, "noc-mail");
    await page.keyboard.press("Escape");
    check(await page.evaluate(() => !document.querySelector('tr[data-action="noc-mail"] details').open
      && document.activeElement.tagName === "SUMMARY"), "Escape does not close the menu onto its button");
    await page.keyboard.press("Enter");
    await page.locator('tr[data-action="noc-mail"]').getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit action noc-mail (Email)" }).waitFor();
    check(await page.getByLabel("Name", { exact: true }).getAttribute("readonly") !== null, "the name is editable");
    check((await page.getByLabel("To").inputValue()) === "noc@example.net", "To not filled");
    await page.getByLabel("Cc").fill("oncall@example.net");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action noc-mail saved.").waitFor();
    await page.locator('tr[data-action="noc-mail"]').filter({ hasText: "noc@example.net" }).waitFor();

    step = begin("Add New Action → Webhook, Syslog, Trap forward");
    await addNew(page, "Webhook");
    await labelled(page);
    await page.getByLabel("Name", { exact: true }).fill("ops-hook");
    await page.getByLabel("URL").fill(`http://127.0.0.1:${process.env.CLOSED_PORT}/vigie`);
    await page.getByLabel(/^Signing secret/).fill("h00k-s3cret");
    await shot(page, "action-webhook");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action ops-hook added.").waitFor();
    check(!(await page.content()).includes("h00k-s3cret"), "the webhook secret is shown back");
    await addNew(page, "Syslog");
    await labelled(page);
    await page.getByLabel("Name", { exact: true }).fill("ops-syslog");
    await page.getByLabel("Receiver host").fill("127.0.0.1");
    await page.getByLabel(/^Port/).fill(process.env.SYSLOG_PORT);
    await shot(page, "action-syslog");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action ops-syslog added.").waitFor();
    await addNew(page, "Trap forward");
    await labelled(page);
    await page.getByLabel("Name", { exact: true }).fill("ops-forward");
    await page.getByLabel(/^Receiver/).fill(`127.0.0.1:${process.env.SYSLOG_PORT}`);
    await page.getByLabel(/^Community/).fill("fwd-c0mmunity");
    await shot(page, "action-trap-forward");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action ops-forward added.").waitFor();

    step = begin("Test Action for each kind");
    await testAction(page, "ops-syslog", "success");
    await testAction(page, "ops-forward", "success");
    await testAction(page, "ops-hook", "error");
    await shot(page, "test-action-webhook-failure");

    step = begin("Edit a syslog action: an empty secret field keeps the secret");
    await openMenu(page, "ops-syslog");
    await page.locator('tr[data-action="ops-syslog"]').getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit action ops-syslog (Syslog)" }).waitFor();
    await page.getByLabel("Transport").selectOption("tcp");
    await shot(page, "action-edit");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action ops-syslog saved.").waitFor();
    await openMenu(page, "ops-forward");
    await page.locator('tr[data-action="ops-forward"]').getByRole("link", { name: "Edit" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Action ops-forward saved.").waitFor();
    await testAction(page, "ops-forward", "success");

    step = begin("Add New Rule, then edit it");
    await page.getByRole("link", { name: "Rules", exact: true }).click();
    await page.getByRole("link", { name: "Add New Rule" }).click();
    await labelled(page);
    await page.getByLabel("Name", { exact: true }).fill("core-links");
    await page.getByLabel("Alarm type", { exact: true }).fill("linkDown");
    await page.getByLabel("Minimum severity").selectOption("major");
    await page.getByLabel("Varbind 1", { exact: true }).fill("IF-MIB::ifAdminStatus");
    await page.getByLabel("Value", { exact: true }).first().fill("up");
    await page.getByRole("checkbox", { name: "noc-mail" }).check();
    await shot(page, "rule-new");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Rule core-links saved.").waitFor();
    const ruleRow = page.locator('tr[data-rule="core-links"]');
    const described = await ruleRow.textContent();
    check(described.includes("alarm type = linkDown") && described.includes("severity ≥ major"),
          `rule row: ${described}`);
    await ruleRow.getByRole("link", { name: "Edit rule core-links" }).click();
    check((await page.getByLabel("Alarm type", { exact: true }).inputValue()) === "linkDown", "the rule form is not filled");
    await page.getByLabel("Combine").selectOption("any");
    await page.getByRole("checkbox", { name: "ops-syslog" }).check();
    await page.getByLabel("Group wait (s)").fill("5");
    await shot(page, "rule-edit");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Rule core-links saved.").waitFor();
    const edited = await page.locator('tr[data-rule="core-links"]').textContent();
    check(edited.includes(" or ") && edited.includes("ops-syslog") && edited.includes("wait 5 s"),
          `edited rule row: ${edited}`);

    step = begin("Test Action: success banner");
    await page.goto(`${base}/response/actions`);
    const menu = page.locator('tr[data-action="noc-mail"]');
    await menu.getByLabel("Menu of action noc-mail").click();
    await menu.getByRole("button", { name: "Test Action" }).click();
    await page.locator("#test-result.success").filter({ hasText: "Test Action succeeded" }).waitFor();
    await shot(page, "test-action-success");

    step = begin("Test Action: failure banner with the classified cause and its fix");
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

    step = begin("Rules tab, troubleshooting log, Trust Store");
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

    step = begin("Trust Store: capture the relay's chain and import its CA");
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

    step = begin("Test Action over STARTTLS once the CA is trusted");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules & Actions" }).click();
    await page.locator('tr[data-action="noc-mail"]').getByLabel("Menu of action noc-mail").click();
    await page.locator('tr[data-action="noc-mail"]').getByRole("button", { name: "Test Action" }).click();
    await page.locator("#test-result.success").filter({ hasText: "Test Action succeeded" }).waitFor();

    step = begin("TLS policy: an unknown cipher is refused, Apply reloads, the status returns to UP");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "TLS policy" }).click();
    await page.waitForURL(`${base}/settings/tls`);
    await labelled(page);
    await page.getByLabel(/^Cipher suites/).fill("ECDHE-RSA-AES128-GCM-SHA256:NOT-A-CIPHER");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.locator("#tls-error").filter({ hasText: "NOT-A-CIPHER" }).waitFor();
    await page.getByLabel(/^Cipher suites/).fill("TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.locator("#tls-applied").waitFor();
    const left = await page.locator("#offered").textContent();
    check(left.includes("DHE-RSA-AES256-GCM-SHA384") && left.includes("finite-field"), `offered: ${left}`);
    await page.locator('#components tr[data-component="smtp relay"] .badge.down').waitFor();
    await mark(page);
    await need("relay-up");
    await page.locator('#components tr[data-component="smtp relay"] .badge.up').waitFor();
    await notReloaded(page);
    await shot(page, "tls");
    await page.goto(`${base}/response/actions`);
    await testAction(page, "noc-mail", "success");
  }

  step = begin("phone width");
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [["/status", "status-phone"], ["/alarms?state=any", "alarms-phone"],
                              ["/events", "events-phone"], ["/devices", "devices-phone"],
                              ["/response/rules", "rules-phone"], ["/response/actions", "actions-phone"],
                              ["/settings/tls", "tls-phone"]]) {
    await page.goto(`${base}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
    await shot(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  step = begin("no script errors");
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);

  step = begin("log out at the end");
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
