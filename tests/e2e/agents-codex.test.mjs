// Codex CLI as an end-to-end judge of the gateway (lib/agents.mjs).
import { agentTests } from './lib/agents.mjs';

agentTests('codex');
