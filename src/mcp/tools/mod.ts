/**
 * The MCP tools of T4DM, one file each; {@linkcode TOOLS} lists them in the order `tools/list` shows.
 *
 * Consolidation has no tool yet: the library has no consolidation to call, and a tool that always fails
 * would only invite useless calls. It will be added as `consolidate_memories` when src/memory has it.
 *
 * @module
 */
import type { McpTool } from "../_tool.ts";
import { forgetMemoryTool } from "./forget_memory.ts";
import { getMemoryTool } from "./get_memory.ts";
import { giveFeedbackTool } from "./give_feedback.ts";
import { invalidateMemoryTool } from "./invalidate_memory.ts";
import { memoryHistoryTool } from "./memory_history.ts";
import { memoryStatsTool } from "./memory_stats.ts";
import { recallMemoriesTool } from "./recall_memories.ts";
import { storeMemoryTool } from "./store_memory.ts";
import { updateMemoryTool } from "./update_memory.ts";

export { FEEDBACK_STEP, giveFeedbackTool } from "./give_feedback.ts";
export { forgetMemoryTool } from "./forget_memory.ts";
export { getMemoryTool } from "./get_memory.ts";
export { invalidateMemoryTool } from "./invalidate_memory.ts";
export { memoryHistoryTool } from "./memory_history.ts";
export { memoryStatsTool } from "./memory_stats.ts";
export { recallMemoriesTool } from "./recall_memories.ts";
export { storeMemoryTool } from "./store_memory.ts";
export { updateMemoryTool } from "./update_memory.ts";

/** Every tool, in the order `tools/list` shows them. */
export const TOOLS: readonly McpTool[] = [
  storeMemoryTool,
  recallMemoriesTool,
  getMemoryTool,
  updateMemoryTool,
  invalidateMemoryTool,
  forgetMemoryTool,
  memoryHistoryTool,
  giveFeedbackTool,
  memoryStatsTool,
] as McpTool[];
