import { QUERY_STOP_WORDS, queryTerms } from "./query_terms.ts";
import { expectEqual } from "./_test_util.ts";

Deno.test("queryTerms() drops interrogatives, auxiliaries and framing words, keeping content and order", () => {
  const terms = [
    "how",
    "many",
    "times",
    "has",
    "melanie",
    "gone",
    "beach",
    "what",
    "kind",
    "car",
    "did",
    "buy",
  ];
  expectEqual(queryTerms(terms), ["times", "melanie", "gone", "beach", "car", "buy"]);
});

Deno.test("queryTerms() keeps pronouns and numbers, and takes another stop list", () => {
  expectEqual(queryTerms(["did", "i", "say", "2023"]), ["i", "say", "2023"]);
  expectEqual(queryTerms(["did", "i", "say"], new Set(["i"])), ["did", "say"]);
});

Deno.test("QUERY_STOP_WORDS is lower case", () => {
  expectEqual([...QUERY_STOP_WORDS].filter((w) => w !== w.toLowerCase()), []);
});
