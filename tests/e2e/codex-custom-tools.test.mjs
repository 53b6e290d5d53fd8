// Codex's freeform tools (type "custom", e.g. apply_patch) through a
// translation: the Responses client declares a custom tool, an Anthropic
// upstream calls it as an ordinary tool with {"input": ...}, and the client
// must get back a custom_tool_call item with the raw input
// (docs/protocols/README.md#pitfall-14), streaming and not.

import OpenAI from 'openai';
import { before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { startTranslateEnv } from './lib/translate.mjs';

const PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hi "there"\n*** End Patch\n';
let env;
let client;

before(async () => {
  env = await startTranslateEnv('codex-custom-tools');
  client = new OpenAI({ baseURL: env.gw.url + '/v1', apiKey: env.key, maxRetries: 0 });
});

const request = (stream) => ({
  model: env.up.anthropic.model,
  input: 'add hello.txt',
  tools: [{ type: 'custom', name: 'apply_patch', description: 'Apply a patch to files.' }],
  stream,
});

for (const stream of [false, true]) {
  test(`responses client, anthropic upstream, custom tool call comes back as custom_tool_call (stream=${stream})`, async () => {
    env.up.anthropic.script({ toolCalls: [{ id: 'toolu_patch1', name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) }] });
    const response = stream
      ? await client.responses.stream(request(true)).finalResponse()
      : await client.responses.create(request(false));
    const call = response.output.find((item) => item.type === 'custom_tool_call');
    assert.ok(call, `a custom_tool_call item in ${JSON.stringify(response.output)}`);
    assert.equal(call.name, 'apply_patch');
    assert.equal(call.input, PATCH, 'the raw patch, unwrapped from {"input": ...}');
    assert.equal(call.call_id, 'toolu_patch1');
    const upstream = env.mocks.anthropic.messageRequests.at(-1);
    const tool = upstream.body.tools.find((t) => t.name === 'apply_patch');
    assert.equal(tool.input_schema.type, 'object', 'the freeform tool travels as a function taking one string');
    assert.equal(tool.input_schema.properties.input.type, 'string');
  });
}
