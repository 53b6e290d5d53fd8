// Shared plumbing for the protocol-translation matrix (translate-*.test.mjs):
// one gateway with one group allowing every endpoint and one channel per
// upstream type (distinct models via-openai, via-anthropic, via-responses,
// via-gemini, each renamed by model_map), the four mock upstreams, and for
// each side an adapter:
//
//   upstream adapter (per channel type): scripts its mock (text answer or tool
//   calls), and reads what the mock received in its own protocol (model,
//   stream flag, declared tools, system prompt and turns, the tool calls and
//   tool results of the second turn).
//   client adapter (per client protocol): drives the official SDK (text, tool
//   calls, the tool results in its own protocol), streaming or not, reads the
//   answer back through the SDK's own accumulator, and checks the gateway's
//   raw streaming bytes against the client protocol's wire format.
//
// translateTests(clientName) registers, per upstream type:
//   - stream and non-stream: text intact; one tool call and two parallel tool
//     calls round trip (name, arguments, id linkage, result content) — each
//     also checking model_map, stop reason, the usage the client sees and the
//     usage log row (endpoint, tokens);
//   - the client protocol's 400 shape for malformed bodies; an upstream 429
//     as a 429 in the client protocol's shape; a reasoning block before the
//     text (Anthropic thinking, Responses reasoning); the raw stream's wire
//     format; system prompt + multi-turn history placement.
//
// Secondary checks are collected (class Checks) so that one failing check
// does not hide the others; the test fails at the end listing all of them.

import { before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { test, assert, mockUpstream, trackMock, OpenAI } from './harness.mjs';
import { Gateway, newKeySecret, rawRequest, sseData } from './gateway.mjs';
import { startMockAnthropic } from './mock-anthropic.mjs';
import { startMockBedrock } from './mock-bedrock.mjs';
import { startMockGemini } from './mock-gemini.mjs';
import { startMockResponses } from './mock-responses.mjs';

export const UPSTREAM_TYPES = ['openai', 'anthropic', 'openai-responses', 'gemini', 'bedrock'];
/** The channel type that speaks each client protocol (a passthrough). */
export const SAME_PROTOCOL = { chat: 'openai', messages: 'anthropic', responses: 'openai-responses', gemini: 'gemini' };

const TEXT = 'Grüße aus "Berlin" 🌍 — line one,\nline two: {"not":"json"} done.';
const FINAL_TEXT = 'It is 21 °C and clear in Paris.';
const TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'array', items: { type: 'integer' } },
      opts: { type: 'object', properties: { detail: { type: 'boolean' } } },
    },
    required: ['city'],
  },
};
// Streamed in 6-character fragments by the mocks, so escapes (\" \n \u00e9) and
// multi-byte characters are split across fragments.
const TOOL_ARGS = '{"city":"S\\u00e3o Paulo \\"SP\\"","unit":"celsius","days":[1,2],"opts":{"detail":true},"note":"l1\\nl2 日本 ü"}';
const TOOL_RESULT = { temp_c: 21, sky: 'clear-7731' };
const RESULT_TOKEN = 'clear-7731';
// A second tool, for the parallel-calls round trip.
const TOOL2 = {
  name: 'get_time',
  description: 'Local time in a time zone',
  schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
};
const TOOL2_ARGS = '{"tz":"Europe/Paris"}';
const TOOL2_RESULT = { time: '12:34', marker: 'tz-5521' };
const RESULT2_TOKEN = 'tz-5521';

// ---------------------------------------------------------------------------
// Environment: one gateway + the four mocks per test file.

export async function startTranslateEnv(label) {
  const env = { key: newKeySecret(), upKeys: {} };
  for (const t of UPSTREAM_TYPES) env.upKeys[t] = `up-${t}-secret-` + newKeySecret().slice(3, 19);
  env.mocks = {
    openai: await mockUpstream(),
    anthropic: trackMock(await startMockAnthropic()),
    'openai-responses': trackMock(await startMockResponses()),
    gemini: trackMock(await startMockGemini()),
    bedrock: trackMock(await startMockBedrock()),
  };
  // Bedrock checks a SigV4 signature made with temporary credentials.
  env.aws = { accessKeyId: 'AKIAMOCKBEDROCK0001', secretAccessKey: env.upKeys.bedrock, sessionToken: 'FwoGZXIvYXdzEMOCK//token+' + newKeySecret().slice(3, 30), region: 'eu-central-1' };
  env.mocks.bedrock.credentials = env.aws;
  for (const t of ['anthropic', 'openai-responses', 'gemini']) env.mocks[t].apiKey = env.upKeys[t];
  env.up = Object.fromEntries(UPSTREAM_TYPES.map((t) => [t, upstreamAdapter(t, env.mocks[t], env.upKeys[t])]));
  env.gw = await Gateway.start({
    label,
    config: {
      groups: [{ name: 'all', endpoints: ['chat', 'responses', 'messages', 'gemini'], ratio: 1.0 }],
      channels: UPSTREAM_TYPES.map((t) => ({
        name: `chan-${t}`,
        type: t,
        base_url: env.mocks[t].url,
        ...(t === 'bedrock'
          ? { region: env.aws.region, aws_access_key_id: env.aws.accessKeyId, aws_secret_access_key: env.aws.secretAccessKey, aws_session_token: env.aws.sessionToken }
          : { api_key: env.upKeys[t] }),
        groups: ['all'],
        models: [env.up[t].model],
        model_map: { [env.up[t].model]: env.up[t].upstreamModel },
      })),
      keys: [{ name: 'tx', key: env.key, group: 'all' }],
    },
  });
  return env;
}

// ---------------------------------------------------------------------------
// Soft checks: secondary assertions are collected so that one failing check
// does not hide the others; the test fails at the end with all of them.

class Checks {
  constructor() {
    this.fails = [];
  }
  check(label, fn) {
    try {
      fn();
    } catch (e) {
      this.fails.push(`${label}: ${e.message}`);
    }
  }
  async acheck(label, fn) {
    try {
      await fn();
    } catch (e) {
      this.fails.push(`${label}: ${e.message}`);
    }
  }
  done() {
    if (this.fails.length) throw new assert.AssertionError({ message: `${this.fails.length} check(s) failed:\n- ${this.fails.join('\n- ')}` });
  }
}

const textOf = (content) =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (typeof p === 'string' ? p : p?.text ?? JSON.stringify(p))).join('') : JSON.stringify(content ?? '');

// ---------------------------------------------------------------------------
// Upstream adapters.

export function upstreamAdapter(type, mock, upKey) {
  const base = { type, mock, model: `via-${type === 'openai-responses' ? 'responses' : type}`, upstreamModel: `up-${type}-model` };
  const noViolations = (rec) => assert.deepEqual(rec.violations ?? [], [], `the ${type} mock rejected the request as the real API would (HTTP ${rec.answeredStatus})`);
  switch (type) {
    case 'openai':
      return {
        ...base,
        requests: () => mock.chatRequests,
        script: (b) => mock.enqueue({ ...b, usage: b.usage && { prompt: b.usage.input, completion: b.usage.output, cached: 0 } }),
        modelSeen: (rec) => rec.body?.model,
        streamed: (rec) => rec.body?.stream === true,
        conversation: (rec) => {
          const msgs = rec.body.messages;
          const sys = msgs.filter((m) => m.role === 'system' || m.role === 'developer');
          return { system: sys.map((m) => textOf(m.content)).join('\n'), systemFirst: sys.length > 0 && (msgs[0].role === 'system' || msgs[0].role === 'developer'), turns: msgs.filter((m) => !sys.includes(m)).map((m) => ({ role: m.role, text: textOf(m.content) })) };
        },
        // The Chat mock does not validate; check the channel credential here.
        noViolations: (rec) => assert.equal(rec.headers.authorization, `Bearer ${upKey}`, 'upstream Authorization'),
        declaredTool: (rec) => {
          const t = (rec.body.tools ?? []).find((x) => x.function?.name === TOOL.name);
          assert.ok(t, `tool ${TOOL.name} declared upstream: ${JSON.stringify(rec.body.tools)}`);
          assert.equal(t.type, 'function');
          assert.deepEqual(t.function.parameters?.properties?.city, TOOL.schema.properties.city);
        },
        checkToolTurn: (rec, expected) => {
          const msgs = rec.body.messages;
          const ai = msgs.findIndex((m) => m.role === 'assistant' && m.tool_calls?.length);
          assert.ok(ai >= 0, `an assistant message with tool_calls upstream: ${JSON.stringify(msgs)}`);
          assert.equal(msgs[ai].tool_calls.length, expected.length, `all tool calls in one assistant message: ${JSON.stringify(msgs[ai])}`);
          const toolMsgs = [];
          for (let i = ai + 1; i < msgs.length && msgs[i].role === 'tool'; i++) toolMsgs.push(msgs[i]);
          assert.equal(toolMsgs.length, expected.length, `one tool message per call, right after the assistant tool_calls message: ${JSON.stringify(msgs)}`);
          for (const e of expected) {
            const tc = msgs[ai].tool_calls.find((t) => t.function?.name === e.name);
            assert.ok(tc, `the ${e.name} call is in the assistant message`);
            assert.equal(tc.type, 'function');
            assert.deepEqual(JSON.parse(tc.function.arguments), e.args, `${e.name} arguments in history`);
            if (e.issuedId) assert.equal(tc.id, e.issuedId, `the id the upstream issued for ${e.name} is sent back`);
            const tm = toolMsgs.find((m) => m.tool_call_id === tc.id);
            assert.ok(tm, `a tool message with tool_call_id ${tc.id} (${e.name}): ${JSON.stringify(toolMsgs)}`);
            assert.ok(textOf(tm.content).includes(e.token), `${e.name} result content reaches upstream: ${JSON.stringify(tm.content)}`);
          }
        },
      };
    case 'bedrock':
      // Claude on Bedrock: the Anthropic body (the mock restores model and
      // stream from the path); a model id with ':' as Bedrock's have.
      return {
        ...upstreamAdapter('anthropic', mock, upKey),
        type,
        model: 'via-bedrock',
        upstreamModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        requests: () => mock.invokeRequests,
        modelSeen: (rec) => rec.modelId,
        streamed: (rec) => rec.streamed,
      };
    case 'anthropic':
      return {
        ...base,
        requests: () => mock.messageRequests,
        conversation: (rec) => ({
          system: typeof rec.body.system === 'string' ? rec.body.system : (rec.body.system ?? []).map((b) => b.text).join('\n'),
          systemFirst: true,
          turns: rec.body.messages.map((m) => ({ role: m.role, text: textOf(m.content) })),
        }),
        script: (b) => mock.enqueue(b),
        modelSeen: (rec) => rec.body?.model,
        streamed: (rec) => rec.body?.stream === true,
        noViolations,
        declaredTool: (rec) => {
          const t = (rec.body.tools ?? []).find((x) => x.name === TOOL.name);
          assert.ok(t, `tool ${TOOL.name} declared upstream: ${JSON.stringify(rec.body.tools)}`);
          assert.equal(t.input_schema?.type, 'object');
          assert.deepEqual(t.input_schema?.properties?.city, TOOL.schema.properties.city);
        },
        checkToolTurn: (rec, expected) => {
          const msgs = rec.body.messages;
          const ai = msgs.findIndex((m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_use'));
          assert.ok(ai >= 0, `an assistant message with a tool_use block upstream: ${JSON.stringify(msgs)}`);
          const uses = msgs[ai].content.filter((b) => b.type === 'tool_use');
          assert.equal(uses.length, expected.length, `all tool_use blocks in one assistant message: ${JSON.stringify(msgs[ai])}`);
          const um = msgs[ai + 1];
          assert.ok(um && um.role === 'user' && Array.isArray(um.content), `a user message follows: ${JSON.stringify(msgs)}`);
          for (const e of expected) {
            const tu = uses.find((b) => b.name === e.name);
            assert.ok(tu, `a tool_use block for ${e.name}`);
            assert.deepEqual(tu.input, e.args, `${e.name} tool_use input in history`);
            if (e.issuedId) assert.equal(tu.id, e.issuedId, `the id the upstream issued for ${e.name} is sent back`);
            const tr = um.content.find((b) => b.type === 'tool_result' && b.tool_use_id === tu.id);
            assert.ok(tr, `a tool_result block with tool_use_id ${tu.id} (${e.name}) in the next user message: ${JSON.stringify(um)}`);
            assert.ok(textOf(tr.content).includes(e.token), `${e.name} result content reaches upstream: ${JSON.stringify(tr.content)}`);
          }
        },
      };
    case 'openai-responses':
      return {
        ...base,
        requests: () => mock.responseRequests,
        conversation: (rec) => {
          const input = typeof rec.body.input === 'string' ? [{ role: 'user', content: rec.body.input }] : rec.body.input;
          const msgs = input.filter((it) => (it.type ?? 'message') === 'message');
          const sys = msgs.filter((m) => m.role === 'system' || m.role === 'developer');
          const system = [rec.body.instructions ?? '', ...sys.map((m) => textOf(m.content))].filter(Boolean).join('\n');
          return { system, systemFirst: true, turns: msgs.filter((m) => !sys.includes(m)).map((m) => ({ role: m.role, text: textOf(m.content) })) };
        },
        script: (b) => mock.enqueue(b),
        modelSeen: (rec) => rec.body?.model,
        streamed: (rec) => rec.body?.stream === true,
        noViolations,
        declaredTool: (rec) => {
          const t = (rec.body.tools ?? []).find((x) => x.name === TOOL.name);
          assert.ok(t, `tool ${TOOL.name} declared upstream (flat): ${JSON.stringify(rec.body.tools)}`);
          assert.equal(t.type, 'function');
          assert.deepEqual(t.parameters?.properties?.city, TOOL.schema.properties.city);
        },
        checkToolTurn: (rec, expected) => {
          const input = rec.body.input;
          assert.ok(Array.isArray(input), `input must be an item list: ${JSON.stringify(input)}`);
          for (const e of expected) {
            const fc = input.find((it) => it.type === 'function_call' && it.name === e.name);
            assert.ok(fc, `a function_call item for ${e.name} upstream: ${JSON.stringify(input)}`);
            assert.deepEqual(JSON.parse(fc.arguments), e.args, `${e.name} function_call arguments in history`);
            if (e.issuedId) assert.equal(fc.call_id, e.issuedId, `the call_id the upstream issued for ${e.name} is sent back`);
            const fo = input.find((it) => it.type === 'function_call_output' && it.call_id === fc.call_id);
            assert.ok(fo, `a function_call_output with call_id ${fc.call_id} (${e.name}): ${JSON.stringify(input)}`);
            assert.ok(textOf(fo.output).includes(e.token), `${e.name} result reaches upstream: ${JSON.stringify(fo.output)}`);
          }
        },
      };
    case 'gemini':
      return {
        ...base,
        requests: () => mock.generateRequests,
        conversation: (rec) => {
          const si = rec.body.systemInstruction ?? rec.body.system_instruction;
          return {
            system: (si?.parts ?? []).map((p) => p.text ?? '').join('\n'),
            systemFirst: true,
            turns: rec.body.contents.map((c) => ({ role: c.role === 'model' ? 'assistant' : c.role ?? 'user', text: (c.parts ?? []).map((p) => p.text ?? '').join('') })),
          };
        },
        script: (b) => mock.enqueue(b),
        modelSeen: (rec) => rec.model,
        streamed: (rec) => rec.action === 'streamGenerateContent',
        noViolations,
        declaredTool: (rec) => {
          const fds = (rec.body.tools ?? []).flatMap((t) => t.functionDeclarations ?? t.function_declarations ?? []);
          const fd = fds.find((x) => x.name === TOOL.name);
          assert.ok(fd, `tool ${TOOL.name} declared upstream: ${JSON.stringify(rec.body.tools)}`);
          const schema = fd.parametersJsonSchema ?? fd.parameters_json_schema ?? fd.parameters;
          assert.ok(schema?.properties?.city, `schema with property city: ${JSON.stringify(fd)}`);
        },
        checkToolTurn: (rec, expected) => {
          const contents = rec.body.contents;
          const fcPart = (p) => p.functionCall ?? p.function_call;
          const frPart = (p) => p.functionResponse ?? p.function_response;
          const mi = contents.findIndex((c) => c.role === 'model' && (c.parts ?? []).some(fcPart));
          assert.ok(mi >= 0, `a model turn with a functionCall upstream: ${JSON.stringify(contents)}`);
          const fcs = contents[mi].parts.filter(fcPart).map(fcPart);
          assert.equal(fcs.length, expected.length, `all functionCall parts in one model turn: ${JSON.stringify(contents[mi])}`);
          const next = contents[mi + 1];
          assert.ok(next && next.role === 'user', `a user turn follows the function call: ${JSON.stringify(contents)}`);
          const frs = (next.parts ?? []).filter(frPart).map(frPart);
          assert.equal(frs.length, fcs.length, `one functionResponse per functionCall in the next turn: ${JSON.stringify(next)}`);
          for (const e of expected) {
            const fc = fcs.find((x) => x.name === e.name);
            assert.ok(fc, `a functionCall for ${e.name}`);
            assert.deepEqual(fc.args, e.args, `${e.name} functionCall args in history`);
            const fr = frs.find((x) => x.name === e.name);
            assert.ok(fr, `a functionResponse named ${e.name}: ${JSON.stringify(next)}`);
            if (fr.id !== undefined || fc.id !== undefined) assert.equal(fr.id, fc.id, `functionResponse.id equals functionCall.id (${e.name})`);
            assert.ok(JSON.stringify(fr.response).includes(e.token), `${e.name} result reaches upstream: ${JSON.stringify(fr.response)}`);
          }
        },
      };
  }
  throw new Error(type);
}

// ---------------------------------------------------------------------------
// Client adapters.

const chatTools = [TOOL, TOOL2].map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } }));
const anthropicTools = [TOOL, TOOL2].map((t) => ({ name: t.name, description: t.description, input_schema: t.schema }));
const responsesTools = [TOOL, TOOL2].map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.schema, strict: false }));
const geminiTools = [{ functionDeclarations: [TOOL, TOOL2].map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.schema })) }];

export function clientAdapter(name, env) {
  const { gw, key } = env;
  switch (name) {
    case 'chat': {
      const c = () => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 30_000 });
      const run = async (params, stream) => {
        if (stream) return c().chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion();
        return c().chat.completions.create(params);
      };
      const usageOf = (r) => r.usage && { input: r.usage.prompt_tokens, output: r.usage.completion_tokens };
      return {
        name,
        endpoint: 'chat',
        canCarryIds: true,
        async text({ model, prompt, stream }) {
          const r = await run({ model, messages: [{ role: 'user', content: prompt }] }, stream);
          return { text: r.choices[0].message.content, stop: r.choices[0].finish_reason, expectStop: 'stop', usage: usageOf(r), raw: r };
        },
        async conversation({ model, system, turns, stream }) {
          const r = await run({ model, messages: [{ role: 'system', content: system }, ...turns.map((t) => ({ role: t.role, content: t.text }))] }, stream);
          return { text: r.choices[0].message.content };
        },
        async toolTurn({ model, prompt, stream }) {
          const r = await run({ model, messages: [{ role: 'user', content: prompt }], tools: chatTools }, stream);
          const msg = r.choices[0].message;
          const calls = (msg.tool_calls ?? []).map((t) => ({ id: t.id, name: t.function.name, argsText: t.function.arguments }));
          return { calls, stop: r.choices[0].finish_reason, expectStop: 'tool_calls', usage: usageOf(r), state: msg, raw: r };
        },
        async toolResult({ model, prompt, stream, state, results }) {
          const assistant = {
            role: 'assistant',
            content: state.content ?? null,
            tool_calls: state.tool_calls.map((t) => ({ id: t.id, type: 'function', function: { name: t.function.name, arguments: t.function.arguments } })),
          };
          const messages = [
            { role: 'user', content: prompt },
            assistant,
            ...results.map(({ call, result }) => ({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) })),
          ];
          const r = await run({ model, messages, tools: chatTools }, stream);
          return { text: r.choices[0].message.content, stop: r.choices[0].finish_reason, expectStop: 'stop', usage: usageOf(r), raw: r };
        },
        malformed: (model) => ({
          url: `${gw.url}/v1/chat/completions`,
          headers: { authorization: `Bearer ${key}` },
          validBody: { model, messages: [{ role: 'user', content: 'hi' }] },
          streamBody: { model, messages: [{ role: 'user', content: 'weather?' }], tools: chatTools, stream: true, stream_options: { include_usage: true } },
          invalidShape: { model, messages: 'hello' },
        }),
        assertErrorShape: assertOpenAIShape,
        assertRateLimitShape: (body, ctx) => {
          assert.ok(body?.error && typeof body.error.message === 'string' && body.error.message, `${ctx}: OpenAI error shape expected, got ${JSON.stringify(body)}`);
        },
        checkWire: checkChatWire,
        checkShape: (r) => {
          assert.equal(r.object, 'chat.completion');
          assert.match(String(r.id), /\S/);
          assert.equal(typeof r.created, 'number');
          assert.equal(r.choices[0].index, 0);
          assert.equal(r.choices[0].message.role, 'assistant');
          assert.equal(r.usage?.total_tokens, (r.usage?.prompt_tokens ?? NaN) + (r.usage?.completion_tokens ?? NaN), 'total_tokens = prompt + completion');
        },
      };
    }
    case 'messages': {
      const c = () => new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0, timeout: 30_000 });
      const run = (params, stream) => (stream ? c().messages.stream(params).finalMessage() : c().messages.create(params));
      const usageOf = (r) =>
        r.usage && { input: (r.usage.input_tokens ?? 0) + (r.usage.cache_read_input_tokens ?? 0) + (r.usage.cache_creation_input_tokens ?? 0), output: r.usage.output_tokens };
      const texts = (r) => r.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
      return {
        name,
        endpoint: 'messages',
        canCarryIds: true,
        async text({ model, prompt, stream }) {
          const r = await run({ model, max_tokens: 512, messages: [{ role: 'user', content: prompt }] }, stream);
          return { text: texts(r), stop: r.stop_reason, expectStop: 'end_turn', usage: usageOf(r), raw: r };
        },
        async conversation({ model, system, turns, stream }) {
          const r = await run({ model, max_tokens: 512, system, messages: turns.map((t) => ({ role: t.role, content: t.text })) }, stream);
          return { text: texts(r) };
        },
        async toolTurn({ model, prompt, stream }) {
          const r = await run({ model, max_tokens: 512, messages: [{ role: 'user', content: prompt }], tools: anthropicTools }, stream);
          const calls = r.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, args: b.input }));
          return { calls, stop: r.stop_reason, expectStop: 'tool_use', usage: usageOf(r), state: r, raw: r };
        },
        async toolResult({ model, prompt, stream, state, results }) {
          const assistantContent = state.content.map((b) => {
            if (b.type === 'text') return { type: 'text', text: b.text };
            if (b.type === 'tool_use') return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
            if (b.type === 'thinking') return { type: 'thinking', thinking: b.thinking, signature: b.signature };
            return b;
          });
          const messages = [
            { role: 'user', content: prompt },
            { role: 'assistant', content: assistantContent },
            { role: 'user', content: results.map(({ call, result }) => ({ type: 'tool_result', tool_use_id: call.id, content: JSON.stringify(result) })) },
          ];
          const r = await run({ model, max_tokens: 512, messages, tools: anthropicTools }, stream);
          return { text: texts(r), stop: r.stop_reason, expectStop: 'end_turn', usage: usageOf(r), raw: r };
        },
        malformed: (model) => ({
          url: `${gw.url}/v1/messages`,
          headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
          validBody: { model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
          streamBody: { model, max_tokens: 256, messages: [{ role: 'user', content: 'weather?' }], tools: anthropicTools, stream: true },
          invalidShape: { model, max_tokens: 64, messages: 'hello' },
        }),
        assertErrorShape: assertAnthropicShape,
        assertRateLimitShape: (body, ctx) => {
          assert.equal(body?.type, 'error', `${ctx}: Anthropic error shape expected, got ${JSON.stringify(body)}`);
          assert.equal(body.error?.type, 'rate_limit_error', `${ctx}: error.type in ${JSON.stringify(body)}`);
          assert.ok(typeof body.error.message === 'string' && body.error.message, `${ctx}: error.message`);
        },
        thinkingBlock: (r) => r.raw.content.find((b) => b.type === 'thinking'),
        checkWire: checkAnthropicWire,
        checkShape: (r) => {
          assert.equal(r.type, 'message');
          assert.equal(r.role, 'assistant');
          assert.ok(typeof r.id === 'string' && r.id, 'id');
          assert.ok('stop_sequence' in r, 'stop_sequence present');
          assert.equal(typeof r.usage?.input_tokens, 'number');
          assert.equal(typeof r.usage?.output_tokens, 'number');
        },
      };
    }
    case 'responses': {
      const c = () => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 30_000 });
      const run = (params, stream) => (stream ? c().responses.stream(params).finalResponse() : c().responses.create(params));
      const usageOf = (r) => r.usage && { input: r.usage.input_tokens, output: r.usage.output_tokens };
      const texts = (r) =>
        r.output
          .filter((o) => o.type === 'message')
          .flatMap((o) => o.content)
          .filter((p) => p.type === 'output_text')
          .map((p) => p.text)
          .join('');
      return {
        name,
        endpoint: 'responses',
        canCarryIds: true,
        async text({ model, prompt, stream }) {
          const r = await run({ model, input: prompt }, stream);
          return { text: texts(r), stop: r.status, expectStop: 'completed', usage: usageOf(r), raw: r, outputText: r.output_text };
        },
        async conversation({ model, system, turns, stream }) {
          const r = await run({ model, instructions: system, input: turns.map((t) => ({ role: t.role, content: t.text })) }, stream);
          return { text: texts(r) };
        },
        async toolTurn({ model, prompt, stream }) {
          const r = await run({ model, input: [{ role: 'user', content: prompt }], tools: responsesTools }, stream);
          const calls = r.output.filter((o) => o.type === 'function_call').map((o) => ({ id: o.call_id, name: o.name, argsText: o.arguments, itemId: o.id }));
          return { calls, stop: r.status, expectStop: 'completed', usage: usageOf(r), state: r, raw: r };
        },
        async toolResult({ model, prompt, stream, state, results }) {
          // The documented pattern: append the response's output items, then the outputs.
          const items = state.output.map(({ parsed_arguments, ...it }) => it);
          const input = [
            { role: 'user', content: prompt },
            ...items,
            ...results.map(({ call, result }) => ({ type: 'function_call_output', call_id: call.id, output: JSON.stringify(result) })),
          ];
          const r = await run({ model, input, tools: responsesTools }, stream);
          return { text: texts(r), stop: r.status, expectStop: 'completed', usage: usageOf(r), raw: r };
        },
        malformed: (model) => ({
          url: `${gw.url}/v1/responses`,
          headers: { authorization: `Bearer ${key}` },
          validBody: { model, input: 'hi' },
          streamBody: { model, input: 'weather?', tools: responsesTools, stream: true },
          invalidShape: { model, input: 42 },
        }),
        assertErrorShape: assertOpenAIShape,
        assertRateLimitShape: (body, ctx) => {
          assert.ok(body?.error && typeof body.error.message === 'string' && body.error.message, `${ctx}: OpenAI error shape expected, got ${JSON.stringify(body)}`);
        },
        checkWire: checkResponsesWire,
        checkShape: (r) => {
          assert.equal(r.object, 'response');
          assert.match(String(r.id), /\S/);
          assert.equal(typeof r.created_at, 'number');
          for (const o of r.output) assert.ok(typeof o.id === 'string' && o.id, `output item id: ${JSON.stringify(o)}`);
          const msg = r.output.find((o) => o.type === 'message');
          assert.equal(msg?.role, 'assistant');
          assert.equal(r.usage?.total_tokens, (r.usage?.input_tokens ?? NaN) + (r.usage?.output_tokens ?? NaN), 'total_tokens = input + output');
        },
      };
    }
    case 'gemini': {
      const ai = () => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url, timeout: 30_000 } });
      // Non-stream: one response. Stream: fold the chunks (text concatenated,
      // parts collected, last finishReason and usageMetadata).
      const run = async (params, stream) => {
        if (!stream) {
          const r = await ai().models.generateContent(params);
          const cand = r.candidates?.[0];
          return { parts: cand?.content?.parts ?? [], finish: cand?.finishReason, usage: r.usageMetadata, chunks: 1, raw: r };
        }
        const parts = [];
        let finish;
        let usage;
        let chunks = 0;
        for await (const ch of await ai().models.generateContentStream(params)) {
          chunks += 1;
          const cand = ch.candidates?.[0];
          parts.push(...(cand?.content?.parts ?? []));
          if (cand?.finishReason) finish = cand.finishReason;
          if (ch.usageMetadata) usage = ch.usageMetadata;
        }
        return { parts, finish, usage, chunks };
      };
      const usageOf = (r) => r.usage && { input: r.usage.promptTokenCount, output: (r.usage.candidatesTokenCount ?? 0) + (r.usage.thoughtsTokenCount ?? 0) };
      const texts = (r) => r.parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join('');
      return {
        name,
        endpoint: 'gemini',
        canCarryIds: false, // ids are optional in Gemini; linkage is by name (and id when the gateway gives one)
        async text({ model, prompt, stream }) {
          const r = await run({ model, contents: prompt }, stream);
          return { text: texts(r), stop: r.finish, expectStop: 'STOP', usage: usageOf(r), raw: r };
        },
        async conversation({ model, system, turns, stream }) {
          const contents = turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: [{ text: t.text }] }));
          const r = await run({ model, contents, config: { systemInstruction: system } }, stream);
          return { text: texts(r) };
        },
        async toolTurn({ model, prompt, stream }) {
          const r = await run({ model, contents: [{ role: 'user', parts: [{ text: prompt }] }], config: { tools: geminiTools } }, stream);
          const calls = r.parts.filter((p) => p.functionCall).map((p) => ({ id: p.functionCall.id, name: p.functionCall.name, args: p.functionCall.args }));
          return { calls, stop: r.finish, expectStop: 'STOP', usage: usageOf(r), state: r, raw: r };
        },
        async toolResult({ model, prompt, stream, state, results }) {
          const responses = results.map(({ call, result }) => {
            const functionResponse = { name: call.name, response: result };
            if (call.id) functionResponse.id = call.id;
            return { functionResponse };
          });
          const contents = [
            { role: 'user', parts: [{ text: prompt }] },
            { role: 'model', parts: state.parts },
            { role: 'user', parts: responses },
          ];
          const r = await run({ model, contents, config: { tools: geminiTools } }, stream);
          return { text: texts(r), stop: r.finish, expectStop: 'STOP', usage: usageOf(r), raw: r };
        },
        malformed: (model) => ({
          url: `${gw.url}/v1beta/models/${model}:generateContent`,
          headers: { 'x-goog-api-key': key },
          validBody: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
          streamUrl: `${gw.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
          streamBody: { contents: [{ role: 'user', parts: [{ text: 'weather?' }] }], tools: geminiTools },
          invalidShape: { contents: 'hello' },
        }),
        assertErrorShape: assertGeminiShape,
        assertRateLimitShape: (body, ctx) => {
          assert.ok(body?.error && typeof body.error === 'object', `${ctx}: Gemini error shape expected, got ${JSON.stringify(body)}`);
          assert.equal(body.error.code, 429, `${ctx}: error.code in ${JSON.stringify(body)}`);
          assert.equal(body.error.status, 'RESOURCE_EXHAUSTED', `${ctx}: error.status in ${JSON.stringify(body)}`);
          assert.ok(typeof body.error.message === 'string' && body.error.message, `${ctx}: error.message`);
        },
        checkWire: checkGeminiWire,
        checkShape: (r) => {
          const raw = r.raw;
          assert.equal(raw.candidates?.length, 1);
          assert.equal(raw.candidates[0].content?.role, 'model');
          const u = raw.usageMetadata;
          assert.equal(u?.totalTokenCount, (u?.promptTokenCount ?? NaN) + (u?.candidatesTokenCount ?? NaN) + (u?.thoughtsTokenCount ?? 0), 'totalTokenCount = prompt + candidates (+ thoughts)');
        },
      };
    }
  }
  throw new Error(name);
}

export function assertOpenAIShape(body, ctx) {
  assert.ok(body && typeof body.error === 'object' && body.error, `${ctx}: OpenAI error shape {error:{message,type,param,code}} expected, got ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.message, 'string', `${ctx}: error.message`);
  assert.ok(body.error.message.length > 0, `${ctx}: error.message empty`);
  assert.equal(body.error.type, 'invalid_request_error', `${ctx}: error.type in ${JSON.stringify(body)}`);
  for (const k of ['param', 'code']) assert.ok(k in body.error, `${ctx}: error.${k} missing in ${JSON.stringify(body)}`);
}

export function assertAnthropicShape(body, ctx) {
  assert.ok(body && typeof body === 'object', `${ctx}: JSON error body expected`);
  assert.equal(body.type, 'error', `${ctx}: Anthropic error shape {type:"error",error:{type,message}} expected, got ${JSON.stringify(body)}`);
  assert.ok(body.error && typeof body.error === 'object', `${ctx}: error object missing in ${JSON.stringify(body)}`);
  assert.equal(body.error.type, 'invalid_request_error', `${ctx}: error.type in ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.message, 'string', `${ctx}: error.message`);
  assert.ok(body.error.message.length > 0, `${ctx}: error.message empty`);
}

export function assertGeminiShape(body, ctx) {
  assert.ok(body && body.error && typeof body.error === 'object', `${ctx}: Gemini error shape {error:{code,message,status}} expected, got ${JSON.stringify(body)}`);
  assert.equal(body.error.code, 400, `${ctx}: error.code in ${JSON.stringify(body)}`);
  assert.equal(body.error.status, 'INVALID_ARGUMENT', `${ctx}: error.status in ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.message, 'string', `${ctx}: error.message`);
  assert.ok(body.error.message.length > 0, `${ctx}: error.message empty`);
}

// ---------------------------------------------------------------------------
// Raw wire checks of the gateway's streaming output, per client protocol
// (things the SDK accumulators tolerate but the protocol defines). Each gets
// the raw SSE text, the Checks collector and what the answer must contain:
// { text, tool: {name, args}, usage: {input, output} }.

/** Split an SSE body into events {event, data (string), lines}. */
function sseEvents(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    const lines = block.split(/\r?\n/);
    const ev = { event: null, data: null, lines };
    const data = [];
    for (const l of lines) {
      if (l.startsWith('event:')) ev.event = l.slice(6).trim();
      else if (l.startsWith('data:')) data.push(l.slice(5).replace(/^ /, ''));
    }
    ev.data = data.length ? data.join('\n') : null;
    ev.dataLines = data.length;
    out.push(ev);
  }
  return out;
}

function parseJsonData(evs, checks) {
  return evs.map((e) => {
    try {
      return JSON.parse(e.data);
    } catch {
      checks.fails.push(`data is not JSON: ${JSON.stringify(e.data)}`);
      return null;
    }
  });
}

export function checkChatWire(raw, checks, want) {
  const evs = sseEvents(raw).filter((e) => e.data !== null);
  checks.check('chat: ends with data: [DONE]', () => assert.equal(evs.at(-1)?.data, '[DONE]'));
  const chunks = parseJsonData(evs.slice(0, -1), checks).filter(Boolean);
  checks.check('chat: every chunk is a chat.completion.chunk with one id', () => {
    for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk', JSON.stringify(c));
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id for all chunks');
  });
  checks.check('chat: first chunk has delta.role assistant', () => assert.equal(chunks[0]?.choices?.[0]?.delta?.role, 'assistant', JSON.stringify(chunks[0])));
  const withChoice = chunks.filter((c) => c.choices?.length);
  checks.check('chat: text deltas', () => assert.equal(withChoice.map((c) => c.choices[0].delta?.content ?? '').join(''), want.text));
  checks.check('chat: tool call fragments (first has id, type, name; arguments concatenate to the JSON)', () => {
    const frags = withChoice.flatMap((c) => c.choices[0].delta?.tool_calls ?? []);
    assert.ok(frags.length >= 1, 'no tool_calls deltas');
    assert.ok(frags.every((f) => f.index === 0), 'one call at index 0');
    assert.ok(typeof frags[0].id === 'string' && frags[0].id, `first fragment id: ${JSON.stringify(frags[0])}`);
    assert.equal(frags[0].type, 'function');
    assert.equal(frags[0].function?.name, want.tool.name);
    for (const f of frags.slice(1)) assert.ok(!f.id && !f.function?.name, `later fragments carry only arguments: ${JSON.stringify(f)}`);
    assert.deepEqual(JSON.parse(frags.map((f) => f.function?.arguments ?? '').join('')), want.tool.args);
  });
  checks.check('chat: exactly one finish_reason, tool_calls, on the last choice chunk', () => {
    const fins = withChoice.filter((c) => c.choices[0].finish_reason != null);
    assert.equal(fins.length, 1, JSON.stringify(fins));
    assert.equal(fins[0].choices[0].finish_reason, 'tool_calls');
    assert.equal(fins[0], withChoice.at(-1));
  });
  checks.check('chat: include_usage → usage:null on choice chunks, a final choices:[] chunk with usage', () => {
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], JSON.stringify(last));
    assert.equal(last.usage?.prompt_tokens, want.usage.input);
    assert.equal(last.usage?.completion_tokens, want.usage.output);
    assert.equal(last.usage?.total_tokens, want.usage.input + want.usage.output);
    for (const c of withChoice) assert.equal(c.usage, null, `usage:null expected on ${JSON.stringify(c)}`);
  });
}

export function checkAnthropicWire(raw, checks, want) {
  const evs = sseEvents(raw);
  checks.check('anthropic: no [DONE]', () => assert.ok(!raw.includes('[DONE]')));
  checks.check('anthropic: every event has an event: line equal to data.type', () => {
    for (const e of evs) {
      assert.ok(e.event, `event without event: line: ${e.lines.join(' | ')}`);
      assert.equal(JSON.parse(e.data).type, e.event, e.lines.join(' | '));
    }
  });
  const ds = parseJsonData(evs, checks).filter((d) => d && d.type !== 'ping');
  checks.check('anthropic: message_start first, message_delta then message_stop last', () => {
    assert.equal(ds[0]?.type, 'message_start');
    assert.equal(ds[0].message?.role, 'assistant');
    assert.deepEqual(ds[0].message?.content, []);
    assert.equal(ds.at(-1)?.type, 'message_stop');
    assert.equal(ds.at(-2)?.type, 'message_delta');
    assert.equal(ds.filter((d) => d.type === 'message_start').length, 1);
  });
  checks.check('anthropic: message_delta stop_reason tool_use and usage', () => {
    const md = ds.find((d) => d.type === 'message_delta');
    assert.equal(md.delta?.stop_reason, 'tool_use');
    assert.equal(md.usage?.output_tokens, want.usage.output);
    const inTok = md.usage?.input_tokens ?? ds[0].message?.usage?.input_tokens;
    assert.equal(inTok, want.usage.input, 'input tokens (message_delta.usage or message_start)');
  });
  checks.check('anthropic: blocks contiguous from 0, start → deltas of the same type → stop, no interleaving', () => {
    const body = ds.slice(1, -2);
    let open = null;
    let next = 0;
    const blocks = [];
    for (const d of body) {
      if (d.type === 'content_block_start') {
        assert.equal(open, null, `block ${d.index} starts while block ${open?.index} is open`);
        assert.equal(d.index, next, 'contiguous indices');
        open = { index: d.index, block: d.content_block, text: '', json: '' };
      } else if (d.type === 'content_block_delta') {
        assert.ok(open && d.index === open.index, `delta for index ${d.index} outside its block`);
        const t = open.block.type;
        const ok = (t === 'text' && d.delta.type === 'text_delta') || (t === 'tool_use' && d.delta.type === 'input_json_delta') || (t === 'thinking' && ['thinking_delta', 'signature_delta'].includes(d.delta.type));
        assert.ok(ok, `${d.delta.type} in a ${t} block`);
        if (d.delta.type === 'text_delta') open.text += d.delta.text;
        if (d.delta.type === 'input_json_delta') open.json += d.delta.partial_json;
      } else if (d.type === 'content_block_stop') {
        assert.ok(open && d.index === open.index, `stop for index ${d.index}`);
        blocks.push(open);
        open = null;
        next += 1;
      } else assert.fail(`unexpected event ${d.type} between message_start and message_delta`);
    }
    assert.equal(open, null, 'a block is left open');
    const text = blocks.filter((b) => b.block.type === 'text');
    assert.equal(text.map((b) => b.block.text + b.text).join(''), want.text);
    const tools = blocks.filter((b) => b.block.type === 'tool_use');
    assert.equal(tools.length, 1);
    assert.equal(tools[0].block.name, want.tool.name);
    assert.match(tools[0].block.id, /^[a-zA-Z0-9_-]+$/);
    assert.deepEqual(tools[0].block.input, {});
    assert.deepEqual(JSON.parse(tools[0].json), want.tool.args);
  });
}

export function checkResponsesWire(raw, checks, want) {
  const evs = sseEvents(raw);
  checks.check('responses: no [DONE]', () => assert.ok(!raw.includes('[DONE]')));
  const ds = parseJsonData(evs, checks).filter(Boolean);
  checks.check('responses: event: name equals type on every event', () => {
    evs.forEach((e, i) => assert.equal(e.event, ds[i]?.type, e.lines.join(' | ')));
  });
  checks.check('responses: sequence_number strictly increasing on every event', () => {
    for (let i = 0; i < ds.length; i++) {
      assert.equal(typeof ds[i].sequence_number, 'number', JSON.stringify(ds[i]));
      if (i) assert.ok(ds[i].sequence_number > ds[i - 1].sequence_number, `${ds[i - 1].sequence_number} then ${ds[i].sequence_number}`);
    }
  });
  checks.check('responses: response.created first, response.completed last', () => {
    assert.equal(ds[0]?.type, 'response.created');
    assert.equal(ds[0].response?.object, 'response');
    assert.equal(ds.at(-1)?.type, 'response.completed');
    assert.equal(ds.at(-1).response?.status, 'completed');
  });
  checks.check('responses: items added before their deltas, done after; arguments and text rebuild', () => {
    const items = new Map(); // output_index → {item, parts:Set, text, args, done}
    for (const d of ds) {
      if (d.type === 'response.output_item.added') {
        assert.ok(!items.has(d.output_index), `output_index ${d.output_index} added twice`);
        items.set(d.output_index, { item: d.item, parts: new Set(), text: '', args: '', done: false });
      } else if (d.type === 'response.output_item.done') {
        const it = items.get(d.output_index);
        assert.ok(it, `output_item.done before added (${d.output_index})`);
        it.done = true;
        it.final = d.item;
      } else if (d.type === 'response.content_part.added') {
        const it = items.get(d.output_index);
        assert.ok(it && it.item.id === d.item_id, `content_part.added for unknown item ${d.item_id}`);
        it.parts.add(d.content_index);
      } else if (d.type === 'response.output_text.delta') {
        const it = items.get(d.output_index);
        assert.ok(it && it.item.id === d.item_id && it.parts.has(d.content_index), `output_text.delta before its item/part: ${JSON.stringify(d)}`);
        it.text += d.delta;
      } else if (d.type === 'response.function_call_arguments.delta') {
        const it = items.get(d.output_index);
        assert.ok(it && it.item.id === d.item_id && it.item.type === 'function_call', `function_call_arguments.delta before its item: ${JSON.stringify(d)}`);
        it.args += d.delta;
      } else if (d.type === 'response.function_call_arguments.done') {
        const it = items.get(d.output_index);
        assert.ok(it, 'function_call_arguments.done for unknown item');
        assert.equal(d.arguments, it.args, 'done.arguments equals the concatenated deltas');
      }
    }
    for (const [i, it] of items) assert.ok(it.done, `output_item ${i} never done`);
    const msgs = [...items.values()].filter((x) => x.item.type === 'message');
    assert.equal(msgs.map((m) => m.text).join(''), want.text);
    const fcs = [...items.values()].filter((x) => x.item.type === 'function_call');
    assert.equal(fcs.length, 1);
    assert.equal(fcs[0].item.name, want.tool.name);
    assert.ok(fcs[0].item.call_id, 'call_id on output_item.added');
    assert.deepEqual(JSON.parse(fcs[0].args), want.tool.args);
    assert.deepEqual(JSON.parse(fcs[0].final.arguments), want.tool.args);
    const out = ds.at(-1).response.output;
    assert.deepEqual(out.map((o) => o.type), [...items.values()].map((x) => x.item.type), 'completed response lists the same items');
  });
  checks.check('responses: usage on response.completed', () => {
    const u = ds.at(-1).response.usage;
    assert.equal(u?.input_tokens, want.usage.input);
    assert.equal(u?.output_tokens, want.usage.output);
    assert.equal(u?.total_tokens, want.usage.input + want.usage.output);
  });
}

export function checkGeminiWire(raw, checks, want) {
  const evs = sseEvents(raw);
  checks.check('gemini: data-only events (no event: names), one data line each, no [DONE]', () => {
    assert.ok(!raw.includes('[DONE]'));
    for (const e of evs) {
      assert.equal(e.event, null, e.lines.join(' | '));
      assert.equal(e.dataLines, 1, `one data: line per event: ${e.lines.join(' | ')}`);
      assert.equal(e.lines.length, 1, `nothing but the data line: ${e.lines.join(' | ')}`);
    }
    assert.ok(/\r?\n\r?\n$/.test(raw), 'the last event ends with a blank line');
  });
  const ds = parseJsonData(evs, checks).filter(Boolean);
  checks.check('gemini: text, one whole functionCall, finishReason STOP and full usage on the last chunk', () => {
    const parts = ds.flatMap((d) => d.candidates?.[0]?.content?.parts ?? []);
    for (const d of ds) if (d.candidates?.[0]?.content) assert.equal(d.candidates[0].content.role, 'model');
    assert.equal(parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(''), want.text);
    const fcs = parts.filter((p) => p.functionCall);
    assert.equal(fcs.length, 1, JSON.stringify(parts));
    assert.equal(fcs[0].functionCall.name, want.tool.name);
    assert.deepEqual(fcs[0].functionCall.args, want.tool.args);
    const last = ds.at(-1);
    assert.equal(last.candidates?.[0]?.finishReason, 'STOP');
    for (const d of ds.slice(0, -1)) assert.ok(!d.candidates?.[0]?.finishReason, `finishReason only on the last chunk: ${JSON.stringify(d)}`);
    assert.equal(last.usageMetadata?.promptTokenCount, want.usage.input);
    assert.equal(last.usageMetadata?.candidatesTokenCount, want.usage.output);
    assert.equal(last.usageMetadata?.totalTokenCount, want.usage.input + want.usage.output);
  });
}

// ---------------------------------------------------------------------------
// The matrix for one client protocol.

export function translateTests(clientName) {
  let env;
  let client;
  let usageSeq = 0;
  const nextUsage = () => {
    usageSeq += 1;
    return { input: 100 + 7 * usageSeq, output: 10 + 3 * usageSeq };
  };

  before(async () => {
    env = await startTranslateEnv(`translate-${clientName}`);
    client = clientAdapter(clientName, env);
  });

  /** The usage rows written since t0 (newest first), once `n` are there. */
  async function rowsSince(t0, n) {
    const rows = await env.gw.waitForLogs((rows) => rows.filter((r) => r.ts_ms >= t0).length >= n, { timeoutMs: 5000, limit: 20 });
    return rows.filter((r) => r.ts_ms >= t0);
  }

  function checkRow(checks, row, { up, stream, usage, label }) {
    checks.check(`usage log row (${label})`, () => {
      const ctx = JSON.stringify(row);
      assert.ok(row, 'no usage row');
      assert.equal(row.endpoint, client.endpoint, `endpoint: ${ctx}`);
      assert.equal(row.model, up.model, `model: ${ctx}`);
      assert.equal(row.upstream_model, up.upstreamModel, `upstream_model: ${ctx}`);
      assert.equal(row.channel, `chan-${up.type}`, `channel: ${ctx}`);
      assert.equal(row.stream, stream, `stream: ${ctx}`);
      assert.equal(row.status, 200, `status: ${ctx}`);
      assert.equal(row.input_tokens, usage.input, `input_tokens: ${ctx}`);
      assert.equal(row.output_tokens, usage.output, `output_tokens: ${ctx}`);
    });
  }

  function checkUpstreamRequest(checks, up, rec, { stream, label }) {
    checks.check(`upstream request accepted (${label})`, () => up.noViolations(rec));
    checks.check(`model_map rename seen upstream (${label})`, () => assert.equal(up.modelSeen(rec), up.upstreamModel));
    checks.check(`upstream stream mode follows the client (${label})`, () => assert.equal(up.streamed(rec), stream));
    checks.check(`client key not forwarded (${label})`, () => {
      assert.ok(!JSON.stringify(rec.headers).includes(env.key) && !rec.url.includes(env.key) && !rec.rawBody.includes(env.key));
    });
  }

  function checkClientUsage(checks, got, usage, { stream, label }) {
    checks.check(`usage reported to the client (${label})`, () => {
      assert.ok(got, `no usage in the ${clientName} answer (stream=${stream})`);
      assert.deepEqual(got, usage);
    });
  }

  for (const upType of UPSTREAM_TYPES) {
    for (const stream of [false, true]) {
      const tag = `${clientName} client → ${upType} upstream, ${stream ? 'stream' : 'non-stream'}`;

      test(`${tag}: text arrives intact`, async () => {
        const up = env.up[upType];
        up.mock.queue = []; // nothing left over from an earlier failed test
        const checks = new Checks();
        const usage = nextUsage();
        const prompt = `Say hello (${tag})`;
        const before = up.requests().length;
        up.script({ text: TEXT, usage });
        const t0 = Date.now();
        const r = await client.text({ model: up.model, prompt, stream });
        const recs = up.requests().slice(before);
        assert.equal(recs.length, 1, `exactly one upstream request (got ${recs.length})`);
        const rec = recs[0];
        assert.equal(r.text, TEXT, 'text through the SDK accumulator');
        checks.check('prompt reaches upstream', () => assert.ok(JSON.stringify(rec.body).includes(JSON.stringify(prompt).slice(1, -1)), rec.rawBody));
        checkUpstreamRequest(checks, up, rec, { stream, label: 'text' });
        checks.check('stop reason', () => assert.equal(r.stop, r.expectStop));
        if (r.outputText !== undefined) checks.check('responses output_text', () => assert.equal(r.outputText, TEXT));
        if (!stream) checks.check(`${clientName} response shape`, () => client.checkShape(r.raw));
        checkClientUsage(checks, r.usage, usage, { stream, label: 'text' });
        await checks.acheck('usage log', async () => {
          const rows = await rowsSince(t0, 1);
          checkRow(checks, rows[0], { up, stream, usage, label: 'text' });
        });
        checks.done();
      });

      for (const parallel of [false, true]) {
        test(`${tag}: ${parallel ? 'two parallel tool calls' : 'tool call'} round trip`, async () => {
          const up = env.up[upType];
          up.mock.queue = []; // nothing left over from an earlier failed test
          const checks = new Checks();
          const u1 = nextUsage();
          const u2 = nextUsage();
          const prompt = `What is the weather${parallel ? ' and the time' : ''} in Paris? (${tag})`;
          const idFor = (n) => (upType === 'anthropic' || upType === 'bedrock' ? `toolu_01Tx${usageSeq}n${n}abcDEF` : upType === 'gemini' ? undefined : `call_Tx${usageSeq}n${n}abcDEF`);
          const planned = [{ id: idFor(1), tool: TOOL, args: TOOL_ARGS, result: TOOL_RESULT, token: RESULT_TOKEN }];
          if (parallel) planned.push({ id: idFor(2), tool: TOOL2, args: TOOL2_ARGS, result: TOOL2_RESULT, token: RESULT2_TOKEN });
          const before = up.requests().length;
          up.script({ toolCalls: planned.map((p) => ({ id: p.id, name: p.tool.name, arguments: p.args })), usage: u1 });
          up.script({ text: FINAL_TEXT, usage: u2 });
          const t0 = Date.now();

          // Turn 1: the upstream asks for the tool(s).
          const r1 = await client.toolTurn({ model: up.model, prompt, stream });
          const recs1 = up.requests().slice(before);
          assert.equal(recs1.length, 1, `exactly one upstream request for turn 1 (got ${recs1.length})`);
          checkUpstreamRequest(checks, up, recs1[0], { stream, label: 'turn 1' });
          checks.check('tool declared upstream in its protocol', () => up.declaredTool(recs1[0]));
          const dump = JSON.stringify(r1.raw ?? r1.state).slice(0, 1500);
          assert.equal(r1.calls.length, planned.length, `${planned.length} tool call(s) in the ${clientName} answer: ${dump}`);
          assert.deepEqual(r1.calls.map((c) => c.name), planned.map((p) => p.tool.name), `tool names, in order: ${dump}`);
          const results = [];
          planned.forEach((p, i) => {
            const call = r1.calls[i];
            const args = call.args ?? JSON.parse(call.argsText);
            assert.deepEqual(args, JSON.parse(p.args), `${p.tool.name} arguments (parsed JSON)`);
            if (client.canCarryIds) {
              checks.check(`${p.tool.name} call id present`, () => assert.ok(typeof call.id === 'string' && call.id.length > 0, `id ${JSON.stringify(call.id)}`));
              if (clientName === 'messages') checks.check('tool_use id pattern', () => assert.match(call.id, /^[a-zA-Z0-9_-]+$/));
              if (p.id) checks.check(`upstream id of ${p.tool.name} carried to the client`, () => assert.equal(call.id, p.id));
            }
            results.push({ call, result: p.result });
          });
          if (parallel && client.canCarryIds) checks.check('distinct call ids', () => assert.notEqual(r1.calls[0].id, r1.calls[1].id));
          checks.check('stop reason (turn 1)', () => assert.equal(r1.stop, r1.expectStop));
          checkClientUsage(checks, r1.usage, u1, { stream, label: 'turn 1' });

          // Turn 2: the client sends the result(s) back in its own protocol.
          const r2 = await client.toolResult({ model: up.model, prompt, stream, state: r1.state, results });
          const recs2 = up.requests().slice(before + 1);
          assert.equal(recs2.length, 1, `exactly one upstream request for turn 2 (got ${recs2.length})`);
          const rec2 = recs2[0];
          checkUpstreamRequest(checks, up, rec2, { stream, label: 'turn 2' });
          up.checkToolTurn(
            rec2,
            planned.map((p, i) => ({
              name: p.tool.name,
              args: JSON.parse(p.args),
              token: p.token,
              // The upstream's own id must come back when the client protocol carries ids.
              issuedId: client.canCarryIds || r1.calls[i].id ? p.id : undefined,
            })),
          );
          assert.equal(r2.text, FINAL_TEXT, 'final text after the tool result');
          checks.check('stop reason (turn 2)', () => assert.equal(r2.stop, r2.expectStop));
          checkClientUsage(checks, r2.usage, u2, { stream, label: 'turn 2' });

          await checks.acheck('usage log', async () => {
            const rows = await rowsSince(t0, 2);
            // Newest first.
            checkRow(checks, rows.find((r) => r.input_tokens === u2.input) ?? rows[0], { up, stream, usage: u2, label: 'turn 2' });
            checkRow(checks, rows.find((r) => r.input_tokens === u1.input) ?? rows[1], { up, stream, usage: u1, label: 'turn 1' });
          });
          checks.done();
        });
      }
    }
  }

  test(`${clientName} client: malformed requests get the ${clientName} protocol's 400 error shape`, async () => {
    const checks = new Checks();
    for (const upType of UPSTREAM_TYPES) {
      const up = env.up[upType];
      up.mock.queue = [];
      const m = client.malformed(up.model);
      const before = up.requests().length;
      for (const bad of ['{"model": "x", "messages": [', 'not json at all']) {
        await checks.acheck(`invalid JSON, model ${up.model}`, async () => {
          const r = await rawRequest(m.url, { method: 'POST', headers: { ...m.headers, 'content-type': 'application/json' }, body: bad });
          assert.equal(r.status, 400, r.text);
          client.assertErrorShape(r.json, `invalid JSON ${JSON.stringify(bad)}`);
        });
      }
      checks.check(`invalid JSON not sent to ${upType}`, () => assert.equal(up.requests().length, before));
      await checks.acheck(`wrongly typed body ${JSON.stringify(m.invalidShape)} for ${upType}`, async () => {
        const r = await rawRequest(m.url, { method: 'POST', headers: m.headers, body: m.invalidShape });
        assert.equal(r.status, 400, r.text);
        client.assertErrorShape(r.json, 'wrongly typed body');
      });
      // A same-protocol channel is a passthrough (the gateway peeks model and
      // stream and forwards the bytes), so there the upstream's own 400 may be
      // what comes back; a translating channel must reject the body itself.
      if (SAME_PROTOCOL[clientName] !== upType && !(clientName === 'messages' && upType === 'bedrock')) {
        checks.check(`wrongly typed body not sent to ${upType} (translation)`, () => assert.equal(up.requests().length, before));
      }
    }
    checks.done();
  });

  test(`${clientName} client: an upstream 429 (in the upstream's own error shape) reaches the client as 429 in the ${clientName} shape`, async () => {
    const checks = new Checks();
    const upstreamBodies = {
      openai: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      anthropic: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
      'openai-responses': { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      gemini: { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } },
      bedrock: { message: 'Too many requests, please wait before trying again.' },
    };
    for (const upType of UPSTREAM_TYPES) {
      const up = env.up[upType];
      const m = client.malformed(up.model);
      up.mock.queue = [];
      up.script({ status: 429, body: upstreamBodies[upType], headers: { 'retry-after': '1' } });
      await checks.acheck(`${upType} upstream 429`, async () => {
        const r = await rawRequest(m.url, { method: 'POST', headers: m.headers, body: m.validBody });
        assert.equal(r.status, 429, r.text);
        client.assertRateLimitShape(r.json, `${upType} upstream 429`);
      });
      up.mock.queue = [];
    }
    checks.done();
  });

  // Reasoning ahead of the text must not disturb the text (and, for a Claude
  // client on a Claude upstream, must arrive with its signature byte for byte).
  for (const upType of ['anthropic', 'openai-responses', 'bedrock']) {
    for (const stream of [false, true]) {
      const tag = `${clientName} client → ${upType} upstream, ${stream ? 'stream' : 'non-stream'}`;
      test(`${tag}: a reasoning block before the text leaves the text intact`, async () => {
        const up = env.up[upType];
        up.mock.queue = []; // nothing left over from an earlier failed test
        const checks = new Checks();
        const usage = nextUsage();
        const thinking = { text: 'The user wants a greeting; keep it short.', signature: 'EqoBCkgIARABGAIiQL' + 'x'.repeat(40) + '/+==' };
        up.script({ thinking, text: TEXT, usage });
        const r = await client.text({ model: up.model, prompt: `think first (${tag})`, stream });
        assert.equal(r.text, TEXT, 'text through the SDK accumulator');
        checks.check('stop reason', () => assert.equal(r.stop, r.expectStop));
        checkClientUsage(checks, r.usage, usage, { stream, label: 'reasoning' });
        if (clientName === 'messages' && (upType === 'anthropic' || upType === 'bedrock')) {
          checks.check('thinking block with its signature', () => assert.deepEqual(client.thinkingBlock(r), { type: 'thinking', thinking: thinking.text, signature: thinking.signature }));
        }
        checks.done();
      });
    }
  }

  // The gateway's own streaming bytes, checked against the client protocol's
  // wire format (text then a tool call, with usage).
  for (const upType of UPSTREAM_TYPES) {
    test(`${clientName} client → ${upType} upstream: raw stream follows the ${clientName} wire format`, async () => {
      const up = env.up[upType];
      up.mock.queue = [];
      const checks = new Checks();
      const usage = nextUsage();
      const text = 'Let me check that for you.';
      up.script({ text, toolCalls: [{ id: upType === 'anthropic' || upType === 'bedrock' ? 'toolu_01Wire' : upType === 'gemini' ? undefined : 'call_Wire', name: TOOL.name, arguments: TOOL_ARGS }], usage });
      const m = client.malformed(up.model);
      const r = await rawRequest(m.streamUrl ?? m.url, { method: 'POST', headers: m.headers, body: m.streamBody });
      assert.equal(r.status, 200, r.text);
      checks.check('content-type text/event-stream', () => assert.match(String(r.headers['content-type']), /^text\/event-stream/));
      client.checkWire(r.text, checks, { text, tool: { name: TOOL.name, args: JSON.parse(TOOL_ARGS) }, usage });
      if (clientName === 'chat') {
        // Without stream_options.include_usage the client gets no usage chunk.
        up.script({ text, usage: nextUsage() });
        const { stream_options, ...body } = m.streamBody;
        const r2 = await rawRequest(m.url, { method: 'POST', headers: m.headers, body });
        checks.check('chat without include_usage: no usage chunk, [DONE] last', () => {
          const data = sseData(r2.text);
          assert.equal(data.at(-1), '[DONE]');
          const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
          assert.ok(chunks.every((c) => c.choices?.length === 1), `every chunk has one choice: ${r2.text.slice(0, 3000)}`);
          assert.ok(chunks.every((c) => c.usage == null), 'no usage');
        });
      }
      if (checks.fails.length) checks.fails.push(`raw stream was:\n${r.text.slice(0, 6000)}`);
      checks.done();
    });
  }

  // System prompt and a multi-turn history reach the upstream in its own places.
  for (const upType of UPSTREAM_TYPES) {
    test(`${clientName} client → ${upType} upstream: system prompt and multi-turn history`, async () => {
      const up = env.up[upType];
      up.mock.queue = [];
      const system = `You are terse. (${clientName}/${upType})`;
      const turns = [
        { role: 'user', text: 'First question: 2+2?' },
        { role: 'assistant', text: 'It is 4.' },
        { role: 'user', text: 'And 3+3?' },
      ];
      up.script({ text: 'It is 6.', usage: nextUsage() });
      const before = up.requests().length;
      const r = await client.conversation({ model: up.model, system, turns, stream: false });
      assert.equal(r.text, 'It is 6.');
      const recs = up.requests().slice(before);
      assert.equal(recs.length, 1);
      const conv = up.conversation(recs[0]);
      assert.equal(conv.system, system, `system prompt in the ${upType} system place: ${recs[0].rawBody}`);
      assert.ok(conv.systemFirst, 'system message first');
      assert.deepEqual(conv.turns, turns, `turns in order with their roles: ${recs[0].rawBody}`);
    });
  }
}
