/**
 * The `t4dm` commands, one a file. The table that lists them is `../table.ts`.
 *
 * @module
 */
export { store } from "./store.ts";
export { recall } from "./recall.ts";
export { get } from "./get.ts";
export { update } from "./update.ts";
export { invalidate } from "./invalidate.ts";
export { feedback } from "./feedback.ts";
export { forget } from "./forget.ts";
export { history } from "./history.ts";
export { importCommand } from "./import.ts";
export { exportCommand } from "./export.ts";
export { stats } from "./stats.ts";
export { demo } from "./demo.ts";
export { mcp } from "./mcp.ts";
export { serve } from "./serve.ts";
export { keys } from "./keys.ts";
export { completion } from "./completion.ts";
