// The real coding agents as end-to-end judges (agents-<id>.test.mjs, one file
// per agent so that each file stays within the runner's per-file timeout):
// Claude Code, Codex CLI, Gemini CLI and OpenCode (pinned in package.json)
// run headless against one gateway
// whose channels are the mock upstreams, each agent configured exactly as
// `aiohub client-config <id>` tells a user to, against each of the four
// upstream protocols: one group per upstream type ("via-<type>", one channel
// of that type serving every agent's model) and one key per group, so the
// agent's set-up is the same and only the key decides whether the gateway
// passes the agent's protocol through or translates it (Claude Code ×
// Anthropic/Chat/Responses/Gemini, Codex × …, Gemini CLI × …, OpenCode × …).
//
// The mock answers the agent's first request with two parallel calls of the
// agent's own shell tool (its name read from the tools the agent declared),
// after a signed reasoning block where the upstream protocol has one
// (Anthropic thinking, Responses reasoning, Gemini thoughtSignature). Each
// call writes a marker file into the agent's temp working directory and
// prints a token; once the tool results come back the mock answers with a
// final text. Each test asserts: no mock saw a request the real API would
// reject; the agent exits 0 and prints the final text; both marker files
// exist (the tool really ran); the next upstream request carries both
// results; reasoning comes back with its original signature or not at all
// (required for passthrough); the agent's own token total is the mock's;
// the gateway logged every request of the run as 200 with the mock's counts.
//
// HOME, XDG and config dirs live in a temp dir per run; telemetry, update
// checks and other non-essential traffic are switched off; nothing but
// loopback is contacted. On failure the agent's stdout/stderr are printed.

import { before } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test, assert, mockUpstream, trackMock } from './harness.mjs';
import { Gateway, E2E_DIR, makeTempDir, newKeySecret, runCli } from './gateway.mjs';
import { startMockAnthropic } from './mock-anthropic.mjs';
import { startMockGemini } from './mock-gemini.mjs';
import { startMockResponses } from './mock-responses.mjs';

// An agent run takes 1-7 s here; a hung one is killed well before the
// runner's per-file timeout (npm test: 60 s), so its output gets printed.
const AGENT_TIMEOUT_MS = 40_000;
const TEST_TIMEOUT_MS = AGENT_TIMEOUT_MS + 10_000;

// Token counts the mock reports, distinct per answer so the log rows can be told apart.
const TOOL_USAGE = { input: 1301, output: 31 };
const FINAL_USAGE = { input: 1402, output: 42 };

// ---------------------------------------------------------------------------
// What each upstream protocol's request looks like to the mock.

const PROTOCOL = {
  anthropic: {
    requests: (m) => m.messageRequests,
    tools: (b) => (b.tools ?? []).map((t) => t.name),
    toolResults: (b) =>
      (b.messages ?? [])
        .filter((m) => m.role === 'user' && Array.isArray(m.content))
        .flatMap((m) => m.content.filter((c) => c.type === 'tool_result'))
        .map((c) => JSON.stringify(c.content)),
    script: (m, b) => m.setBehavior(b),
    usage: (u) => u,
    // Reasoning the tool-call answer carried, as the client sent it back in its history.
    reasoningBack: (b) =>
      (b.messages ?? [])
        .filter((m) => m.role === 'assistant' && Array.isArray(m.content))
        .flatMap((m) => m.content)
        .filter((c) => c.type === 'thinking' || c.type === 'redacted_thinking')
        .map((c) => ({ text: c.thinking, signature: c.signature ?? c.data })),
    withReasoning: (b, r) => ({ ...b, thinking: r }),
  },
  openai: {
    requests: (m) => m.chatRequests,
    tools: (b) => (b.tools ?? []).map((t) => t.function?.name ?? t.custom?.name),
    toolResults: (b) => (b.messages ?? []).filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content)),
    script: (m, b) => m.setBehavior(b),
    usage: (u) => ({ prompt: u.input, completion: u.output, cached: 0 }),
    reasoningBack: () => [],
    withReasoning: (b) => b, // Chat has no signed reasoning
  },
  'openai-responses': {
    requests: (m) => m.responseRequests,
    tools: (b) => (b.tools ?? []).flatMap((t) => (t.type === 'namespace' ? (t.tools ?? []).map((x) => x.name) : [t.name])).filter(Boolean),
    toolResults: (b) =>
      (Array.isArray(b.input) ? b.input : [])
        .filter((it) => it.type === 'function_call_output' || it.type === 'custom_tool_call_output')
        .map((it) => JSON.stringify(it.output)),
    script: (m, b) => m.setBehavior(b),
    usage: (u) => u,
    reasoningBack: (b) =>
      (Array.isArray(b.input) ? b.input : [])
        .filter((it) => it.type === 'reasoning')
        .map((it) => ({ text: (it.summary ?? []).map((x) => x.text).join(''), signature: it.encrypted_content })),
    withReasoning: (b, r) => ({ ...b, thinking: r }),
  },
  gemini: {
    requests: (m) => m.generateRequests,
    tools: (b) => (b.tools ?? []).flatMap((t) => t.functionDeclarations ?? t.function_declarations ?? []).map((f) => f.name),
    toolResults: (b) =>
      (b.contents ?? [])
        .flatMap((c) => c.parts ?? [])
        .map((p) => p.functionResponse ?? p.function_response)
        .filter(Boolean)
        .map((r) => JSON.stringify(r.response)),
    script: (m, b) => m.setBehavior(b),
    usage: (u) => u,
    reasoningBack: (b) =>
      (b.contents ?? [])
        .filter((c) => c.role === 'model')
        .flatMap((c) => c.parts ?? [])
        .filter((p) => p.thoughtSignature ?? p.thought_signature)
        .map((p) => ({ signature: p.thoughtSignature ?? p.thought_signature })),
    // Gemini signs the first function call of a turn.
    withReasoning: (b, r) => ({ ...b, toolCalls: b.toolCalls.map((c, i) => (i === 0 ? { ...c, thoughtSignature: r.signature } : c)) }),
  },
};

// ---------------------------------------------------------------------------
// The agents.

const bin = (name) => path.join(E2E_DIR, 'node_modules', '.bin', name);

/** `aiohub client-config` output → its sections [{title, path, text}]. */
function parseClientConfig(out) {
  const sections = [];
  for (const part of out.split(/^## /m).slice(1)) {
    const nl = part.indexOf('\n');
    const head = part.slice(0, nl);
    const m = /^(.*?)(?: \[(.*)\])?$/.exec(head);
    sections.push({ title: m[1], path: m[2] ?? null, text: part.slice(nl + 1).replace(/\n+$/, '') });
  }
  return sections;
}

/** `export NAME="value"` lines of a shell section → {NAME: value}. */
function exportsOf(text) {
  const env = {};
  for (const m of text.matchAll(/^export ([A-Z_][A-Z0-9_]*)="([^"]*)"$/gm)) env[m[1]] = m[2];
  return env;
}

// Switches that keep every agent quiet and offline (no telemetry, no update
// checks, no error reports, no model list downloads).
const QUIET_ENV = {
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  NO_UPDATE_NOTIFIER: '1',
  NO_COLOR: '1',
  CI: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_CLAUDE_CODE: '1',
  // OpenCode fetches @opencode-ai/plugin's metadata from the npm registry at
  // start; a closed loopback port keeps it (and any other npm use) offline.
  npm_config_registry: 'http://127.0.0.1:9/',
  // Anything else an agent fetches on its own (Codex CLI: update check on
  // api.github.com, plugin list on chatgpt.com, metrics to ab.chatgpt.com)
  // goes to a closed loopback port too, without a DNS lookup; the gateway is
  // reached directly.
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost,::1',
  no_proxy: '127.0.0.1,localhost,::1',
};

const opencodeEvents = (stdout) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

const AGENTS = [
  {
    id: 'claude-code',
    name: 'Claude Code',
    bin: 'claude',
    endpoint: 'messages',
    model: 'claude-sonnet-4-5',
    own: 'anthropic',
    tool: 'Bash',
    toolArgs: (cmd) => ({ command: cmd, description: 'Write the marker file' }),
    async setup({ cc, home }) {
      const env = exportsOf(cc.find((s) => /^Shell/.test(s.title)).text);
      assert.ok(env.ANTHROPIC_BASE_URL && env.ANTHROPIC_AUTH_TOKEN, `client-config claude-code gives the base URL and token: ${JSON.stringify(env)}`);
      // Helper calls (titles, summaries) use the small/fast model: the same one here.
      return { env: { ...env, ANTHROPIC_DEFAULT_HAIKU_MODEL: env.ANTHROPIC_MODEL, ANTHROPIC_SMALL_FAST_MODEL: env.ANTHROPIC_MODEL, CLAUDE_CONFIG_DIR: path.join(home, '.claude') } };
    },
    args: (prompt) => ['-p', prompt, '--output-format', 'json', '--allowedTools', 'Bash', '--max-turns', '4'],
    finalOutput(stdout) {
      const r = JSON.parse(stdout);
      assert.equal(r.is_error, false, `claude result is not an error: ${stdout.slice(0, 2000)}`);
      return r.result;
    },
    // The tokens Claude Code counted over the run (its own sum of the answers' usage).
    usage: (stdout) => {
      const u = JSON.parse(stdout).usage;
      return { input: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens, output: u.output_tokens };
    },
  },
  {
    id: 'codex',
    name: 'Codex CLI',
    bin: 'codex',
    endpoint: 'responses',
    model: 'gpt-5',
    own: 'openai-responses',
    tool: 'exec_command',
    toolArgs: (cmd) => ({ cmd }),
    async setup({ cc, home }) {
      const provider = cc.find((s) => s.path === '~/.codex/config.toml');
      assert.ok(provider, 'client-config codex gives ~/.codex/config.toml');
      const codexHome = path.join(home, '.codex');
      await fs.mkdir(codexHome, { recursive: true });
      // The file as printed, plus switches for an unattended run.
      await fs.writeFile(path.join(codexHome, 'config.toml'), `check_for_update_on_startup = false\n${provider.text}\n\n[analytics]\nenabled = false\n`);
      const env = exportsOf(cc.find((s) => /key/i.test(s.title) && !s.path).text);
      return { env: { ...env, CODEX_HOME: codexHome } };
    },
    args: (prompt) => ['exec', '--json', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', prompt],
    // JSON Lines: item.completed {type:"agent_message", text} … turn.completed {usage}.
    finalOutput(stdout) {
      const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      assert.ok(!events.some((e) => e.type === 'turn.failed'), `codex turn did not fail: ${stdout.slice(-2000)}`);
      return events.filter((e) => e.item?.type === 'agent_message').map((e) => e.item.text).join('\n');
    },
    usage(stdout) {
      const done = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.type === 'turn.completed');
      return { input: done.reduce((a, e) => a + e.usage.input_tokens, 0), output: done.reduce((a, e) => a + e.usage.output_tokens, 0) };
    },
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    bin: 'gemini',
    endpoint: 'gemini',
    model: 'gemini-2.5-pro',
    own: 'gemini',
    tool: 'run_shell_command',
    toolArgs: (cmd) => ({ command: cmd, description: 'Write the marker file' }),
    async setup({ cc, home }) {
      const env = exportsOf(cc.find((s) => /^Shell/.test(s.title)).text);
      const settingsSection = cc.find((s) => s.path === '~/.gemini/settings.json');
      assert.ok(settingsSection, 'client-config gemini-cli gives ~/.gemini/settings.json (the auth method a headless run needs)');
      const settings = JSON.parse(settingsSection.text);
      settings.privacy = { usageStatisticsEnabled: false };
      settings.telemetry = { enabled: false };
      settings.general = { ...(settings.general ?? {}), disableAutoUpdate: true, disableUpdateNag: true };
      await fs.mkdir(path.join(home, '.gemini'), { recursive: true });
      await fs.writeFile(path.join(home, '.gemini', 'settings.json'), JSON.stringify(settings, null, 2));
      return { env: { ...env, GEMINI_CLI_TRUST_WORKSPACE: 'true' } };
    },
    args: (prompt) => ['-p', prompt, '--output-format', 'json', '--approval-mode', 'yolo'],
    finalOutput(stdout) {
      const r = JSON.parse(stdout.slice(stdout.indexOf('{')));
      assert.ok(!r.error, `gemini result is not an error: ${stdout.slice(0, 2000)}`);
      return r.response;
    },
    usage: (stdout) => {
      const models = JSON.parse(stdout.slice(stdout.indexOf('{'))).stats.models;
      const all = Object.values(models).map((m) => m.tokens);
      return { input: all.reduce((a, t) => a + t.prompt, 0), output: all.reduce((a, t) => a + t.candidates, 0) };
    },
  },
  {
    id: 'opencode',
    name: 'OpenCode',
    bin: 'opencode',
    endpoint: 'chat',
    model: 'gpt-4.1',
    own: 'openai',
    tool: 'bash',
    toolArgs: (cmd) => ({ command: cmd, description: 'Write the marker file' }),
    async setup({ cc, work }) {
      const cfg = cc.find((s) => /opencode\.json/.test(s.path ?? ''));
      assert.ok(cfg, 'client-config opencode gives opencode.json');
      await fs.writeFile(path.join(work, 'opencode.json'), cfg.text);
      return { env: {} };
    },
    args: (prompt) => ['run', '--format', 'json', '--pure', prompt],
    // JSON Lines: text parts, step_finish parts with the step's tokens.
    finalOutput: (stdout) =>
      opencodeEvents(stdout)
        .filter((e) => e.type === 'text')
        .map((e) => e.part.text)
        .join('\n'),
    usage(stdout) {
      const steps = opencodeEvents(stdout).filter((e) => e.type === 'step_finish');
      return { input: steps.reduce((a, e) => a + e.part.tokens.input, 0), output: steps.reduce((a, e) => a + e.part.tokens.output, 0) };
    },
  },
];

// ---------------------------------------------------------------------------
// One gateway, one mock per protocol, per upstream type a group with one
// channel of that type serving every agent's model, and a key per group.

let gw;
const mocks = {};
const UPSTREAMS = ['anthropic', 'openai', 'openai-responses', 'gemini'];
const keys = Object.fromEntries(UPSTREAMS.map((t) => [t, newKeySecret()]));
// Gemini CLI uses more than one model (helpers on flash/flash-lite).
const GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview', 'gemini-3-flash-preview'];
const modelsOf = (a) => (a.id === 'gemini-cli' ? GEMINI_MODELS : [a.model]);

async function startEnv() {
  mocks.openai = await mockUpstream();
  mocks.anthropic = trackMock(await startMockAnthropic());
  mocks['openai-responses'] = trackMock(await startMockResponses());
  mocks.gemini = trackMock(await startMockGemini());
  gw = await Gateway.start({
    label: 'agents',
    config: {
      groups: UPSTREAMS.map((t) => ({ name: `via-${t}`, endpoints: ['chat', 'responses', 'messages', 'gemini'], ratio: 1.0 })),
      channels: UPSTREAMS.map((t) => ({ name: `chan-${t}`, type: t, base_url: mocks[t].url, api_key: `up-${t}-key`, groups: [`via-${t}`], models: AGENTS.flatMap(modelsOf) })),
      keys: UPSTREAMS.map((t) => ({ name: `agents-via-${t}`, key: keys[t], group: `via-${t}` })),
    },
  });
}

/** Behaviour for the upstream mock: tool call first, final text after the tool result, plain text for helper calls. */
function scriptUpstream(type, agent, { toolCmds, reasoning, finalText, toolSeen, failFirst }) {
  const p = PROTOCOL[type];
  let failed = !failFirst;
  p.script(mocks[type], (rec) => {
    const body = rec.body ?? {};
    if (p.toolResults(body).length) return { text: finalText, usage: p.usage(FINAL_USAGE) };
    const tools = p.tools(body);
    if (tools.includes(agent.tool)) {
      if (!failed) {
        // One rate-limit answer (in the upstream's own error shape) before the real one.
        failed = true;
        return failFirst;
      }
      toolSeen.push(rec);
      // Two parallel calls, after a signed reasoning block where the protocol has one.
      const calls = toolCmds.map((cmd) => ({ name: agent.tool, arguments: JSON.stringify(agent.toolArgs(cmd)) }));
      return p.withReasoning({ toolCalls: calls, usage: p.usage(TOOL_USAGE) }, reasoning);
    }
    // A helper call (title, next-speaker check …): JSON text suits those that want JSON.
    return { text: '{"reasoning":"The task is complete.","next_speaker":"user","title":"Marker file"}' };
  });
}

function runAgent(agent, args, { env, cwd, straceFile }) {
  return new Promise((resolve) => {
    // AGENTS_E2E_STRACE=1: record every connect() of the agent and its children.
    const [cmd, argv] = straceFile ? ['strace', ['-f', '-qq', '-e', 'trace=connect', '-o', straceFile, bin(agent.bin), ...args]] : [bin(agent.bin), args];
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, AGENT_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, error: e.message, stdout, stderr, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Kill anything the agent left behind in its process group.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const tail = (s, n = 6000) => (s.length > n ? '…' + s.slice(-n) : s);

// Per agent: every upstream type; then its own protocol once more with a
// transient upstream error before the first answer, which the agent must
// retry through the gateway: a 429 with retry-after: 1, or for Codex, which
// never retries a 429 (only 5xx and transport errors), a 503.
const RATE_LIMITED = { status: 429, headers: { 'retry-after': '1' } };
const UNAVAILABLE = { status: 503 };
const casesOf = (agent) => [
  ...[agent.own, ...UPSTREAMS.filter((t) => t !== agent.own)].map((upstream) => ({ agent, upstream })),
  { agent, upstream: agent.own, failFirst: agent.id === 'codex' ? UNAVAILABLE : RATE_LIMITED },
];

/** Registers the tests of one agent (by client-config id) with their own gateway and mocks. */
export function agentTests(id) {
  const agent = AGENTS.find((a) => a.id === id);
  if (!agent) throw new Error(`no agent ${id}`);
  before(startEnv);
  for (const { upstream, failFirst } of casesOf(agent)) {
    const mode = upstream === agent.own ? 'passthrough' : 'translated';
    const title = failFirst
      ? `${agent.name} (${agent.endpoint}) → gateway → ${upstream} mock (${mode}): an upstream ${failFirst.status} is retried, then the round trip completes`
      : `${agent.name} (${agent.endpoint}) → gateway → ${upstream} mock (${mode}): two parallel shell calls, reasoning, final text, usage`;
    const installed = existsSync(bin(agent.bin));
    test(title, { timeout: TEST_TIMEOUT_MS, skip: installed ? false : `${agent.bin} is not installed in tests/e2e/node_modules (run npm ci in tests/e2e)` }, async (t) => {
      const tag = `${agent.id}-via-${upstream}${failFirst ? `-${failFirst.status}` : ''}`;
      const home = await makeTempDir(`aiohub-agent-${tag}-home-`);
      const work = await makeTempDir(`aiohub-agent-${tag}-work-`);
      const nonce = newKeySecret().slice(3, 11);
      const tokens = [1, 2].map((i) => `marker${i}-${tag}-${nonce}`);
      const markers = [1, 2].map((i) => path.join(work, `agent-marker-${i}.txt`));
      const toolCmds = tokens.map((tok, i) => `printf '%s\\n' '${tok}' > agent-marker-${i + 1}.txt && cat agent-marker-${i + 1}.txt`);
      const reasoning = { text: 'Two marker files: one shell command each.', signature: `sig-${tag}-${newKeySecret().slice(3)}` };
      const finalText = `FINAL ${tag}: the marker file is written.`;

      // The set-up a user gets from the gateway.
      const ccOut = await runCli(['client-config', agent.id, '--base-url', gw.url, '--key', keys[upstream], '--model', agent.model]);
      const cc = parseClientConfig(ccOut.stdout);
      const { env: agentEnv } = await agent.setup({ cc, home, work });

      for (const m of Object.values(mocks)) m.reset();
      const toolSeen = [];
      scriptUpstream(upstream, agent, { toolCmds, reasoning, finalText, toolSeen, failFirst });
      const t0 = Date.now();
      let reasoningNote = '';

      const env = {
        PATH: process.env.PATH,
        LANG: 'C.UTF-8',
        TERM: 'dumb',
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_DATA_HOME: path.join(home, '.local', 'share'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        XDG_STATE_HOME: path.join(home, '.local', 'state'),
        TMPDIR: process.env.TMPDIR ?? '/tmp',
        ...QUIET_ENV,
        ...agentEnv,
      };
      const prompt = 'Create the files agent-marker-1.txt and agent-marker-2.txt in the current directory using the shell, then report back.';
      const straceFile = process.env.AGENTS_E2E_STRACE ? path.join(home, 'connect.strace') : null;
      const run = await runAgent(agent, agent.args(prompt), { env, cwd: work, straceFile });
      if (straceFile) {
        // Every inet connection the agent tried went to loopback.
        const trace = await fs.readFile(straceFile, 'utf8').catch(() => '');
        const targets = [...trace.matchAll(/connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), (?:sin_addr=inet_addr\("([^"]+)"\)|sin6_flowinfo=[^,]*, inet_pton\(AF_INET6, "([^"]+)")/g)].map((m) => `${m[2] ?? m[3]}:${m[1]}`);
        const outside = targets.filter((t) => !/^(127\.|::1:|::ffff:127\.)/.test(t));
        t.diagnostic(`${agent.name}: connect() targets: ${[...new Set(targets)].join(', ') || 'none'}`);
        assert.deepEqual([...new Set(outside)], [], `${agent.name} tried to reach beyond loopback`);
      }
      if (process.env.AGENTS_E2E_DUMP) {
        // Every request the mocks saw, for a look at what the agent and the gateway sent.
        await fs.mkdir(process.env.AGENTS_E2E_DUMP, { recursive: true });
        const dump = Object.fromEntries(Object.entries(mocks).map(([k, m]) => [k, m.requests.map((r) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body, status: r.answeredStatus, violations: r.violations }))]));
        await fs.writeFile(path.join(process.env.AGENTS_E2E_DUMP, `${tag}.json`), JSON.stringify({ stdout: run.stdout, stderr: run.stderr, requests: dump }, null, 1));
      }
      const diag = () =>
        `\n--- ${agent.name} exit=${run.code} signal=${run.signal ?? ''}${run.timedOut ? ' TIMED OUT' : ''}${run.error ? ' spawn error ' + run.error : ''}\n` +
        `env (agent part): ${JSON.stringify(agentEnv)}\nstdout:\n${tail(run.stdout)}\nstderr:\n${tail(run.stderr)}\n`;
      try {
        const reqs = PROTOCOL[upstream].requests(mocks[upstream]);
        // Every request any mock received must be one the real API accepts.
        for (const [type, m] of Object.entries(mocks)) {
          for (const r of m.requests) {
            assert.deepEqual(r.violations ?? [], [], `${type} mock rejected ${r.method} ${r.url} as the real API would (HTTP ${r.answeredStatus})`);
          }
        }
        assert.ok(!run.timedOut, `${agent.name} did not finish within ${AGENT_TIMEOUT_MS} ms`);
        assert.ok(reqs.length > 0, `${agent.name}'s requests reached the ${upstream} mock through the gateway`);
        assert.ok(
          toolSeen.length > 0,
          `the upstream saw the agent's tool ${agent.tool} declared; tools seen: ${JSON.stringify(reqs.map((r) => PROTOCOL[upstream].tools(r.body ?? {})))}`,
        );
        assert.equal(run.code, 0, `${agent.name} exit code`);
        // Both calls ran: the marker files exist with their tokens, and both outputs went back upstream.
        for (const [i, marker] of markers.entries()) {
          assert.ok(existsSync(marker), `the agent's shell tool (call ${i + 1} of 2) created ${marker}`);
          assert.equal((await fs.readFile(marker, 'utf8')).trim(), tokens[i]);
        }
        const withResult = reqs.filter((r) => PROTOCOL[upstream].toolResults(r.body ?? {}).length);
        assert.ok(withResult.length > 0, `a later upstream request carries the tool results`);
        const results = PROTOCOL[upstream].toolResults(withResult[0].body);
        for (const tok of tokens) assert.ok(results.some((x) => x.includes(tok)), `the tool results upstream contain the command's output ${tok}: ${JSON.stringify(results)}`);
        // Signed reasoning comes back unchanged, or not at all (never forged);
        // a client of the upstream's own protocol must send it back.
        const back = PROTOCOL[upstream].reasoningBack(withResult[0].body);
        // (Gemini documents a sentinel for a call whose signature was lost:
        // docs/protocols/README.md#pitfall-7.)
        const allowed = [reasoning.signature, ...(upstream === 'gemini' ? ['skip_thought_signature_validator'] : [])];
        for (const r of back) assert.ok(allowed.includes(r.signature), `reasoning signature sent back upstream is the original: ${JSON.stringify(back)}`);
        const original = back.some((r) => r.signature === reasoning.signature);
        if (mode === 'passthrough' && upstream !== 'openai') assert.ok(original, `${agent.name} sent its reasoning (signature) back in the history: ${JSON.stringify(back)}`);
        reasoningNote = upstream === 'openai' ? '' : `; reasoning signature back upstream: ${original ? 'original' : back.length ? 'sentinel' : 'none'}`;
        // The agent printed the mock's final text.
        const out = agent.finalOutput(run.stdout);
        assert.ok(String(out).includes(finalText), `${agent.name} printed the final text ${JSON.stringify(finalText)}; got ${JSON.stringify(String(out).slice(0, 1000))}`);
        // The agent's own token count: the two answers' usage, as the mock reported it.
        if (agent.usage) {
          assert.deepEqual(agent.usage(run.stdout), { input: TOOL_USAGE.input + FINAL_USAGE.input, output: TOOL_USAGE.output + FINAL_USAGE.output }, `${agent.name}'s own usage total`);
        }
        // The gateway logged the round trip with the upstream's token counts.
        const rows = await gw.waitForLogs(
          (rows) => {
            const mine = rows.filter((r) => r.ts_ms >= t0 && r.endpoint === agent.endpoint);
            return mine.some((r) => r.input_tokens === TOOL_USAGE.input) && mine.some((r) => r.input_tokens === FINAL_USAGE.input);
          },
          { timeoutMs: 8000, limit: 50 },
        );
        const mine = rows.filter((r) => r.ts_ms >= t0 && r.endpoint === agent.endpoint);
        // Every request the agent made was answered in full (no 4xx/5xx, no 499 for a hang-up after the answer).
        const bad = mine.filter((r) => r.status !== 200).map((r) => `${r.endpoint} ${r.model} → ${r.status} ${r.error ?? ''}`);
        if (failFirst) {
          assert.equal(bad.length, 1, `exactly one row for the rate-limited try: ${JSON.stringify(bad)}`);
          assert.ok(bad[0].includes(`→ ${failFirst.status}`), `the rate-limited try is logged with the upstream's status: ${bad[0]}`);
        } else {
          assert.deepEqual(bad, [], 'rows of the run that are not 200');
        }
        for (const [u, what] of [
          [TOOL_USAGE, 'tool-call answer'],
          [FINAL_USAGE, 'final answer'],
        ]) {
          const row = mine.find((r) => r.input_tokens === u.input);
          assert.equal(row.output_tokens, u.output, `${what} row output_tokens`);
          assert.equal(row.status, 200, `${what} row status`);
          assert.equal(row.channel, `chan-${upstream}`, `${what} row channel`);
          assert.equal(row.model, agent.model, `${what} row model`);
        }
        t.diagnostic(
          `${agent.name} ${mode}: ${Date.now() - t0} ms${reasoningNote}; upstream ${upstream} requests: ` +
            reqs.map((r) => `${r.path}→${r.answeredStatus ?? '?'}${PROTOCOL[upstream].toolResults(r.body ?? {}).length ? '(tool result)' : ''}`).join(', '),
        );
      } catch (e) {
        e.message += diag();
        throw e;
      }
    });
  }
}
