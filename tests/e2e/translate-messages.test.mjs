// Protocol translation matrix, messages client: the official SDK of this protocol
// against the gateway, served by each upstream channel type (openai,
// anthropic, openai-responses, gemini), streaming and not — text, a tool-call
// round trip, usage (client and usage log), model_map, and the protocol's own
// 400 error shape. See lib/translate.mjs.

import { translateTests } from './lib/translate.mjs';

translateTests('messages');
